/* runt-exec <syncFd> <fifoFd|-1> <consoleSocketFd|-1>
 *
 * The executor. The runtime (node) starts it from a sealed memfd, sends the launch plan
 * over the sync socket, and this program carries it out with system calls only:
 *   stage 1 (this process): join namespaces, clone the child as a sibling (a child of
 *     the runtime), send PID, exit;
 *   the child: wait for CONTINUE, then (mode init) build the container and report
 *     CREATED before waiting on the exec fifo, or (mode join) set up the process; and
 *     execve the user's program. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/protocol.h"

struct exec_fds FDS = {-1, -1, -1};

static int parse_fd(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < -1 || v > 1 << 20) {
    static const char usage[] = "usage: runt-exec <syncFd> <fifoFd|-1> <consoleSocketFd|-1>\n";
    (void)!write(2, usage, sizeof usage - 1);
    _exit(2);
  }
  return (int)v;
}

/* node ignores some signals and blocks others; the container starts clean */
static void reset_signals(void) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

/* Close every descriptor but stdio, the preserved ones and the three we were given. */
static void close_other_fds(void) {
  int keep[3] = {FDS.sync, FDS.fifo, FDS.console};
  qsort(keep, 3, sizeof keep[0], cmp_int);
  unsigned from = 3 + (unsigned)P.preserve_fds;
  for (int i = 0; i < 3; i++) {
    if (keep[i] < 0 || (unsigned)keep[i] < from) continue;
    if ((unsigned)keep[i] > from && close_range(from, (unsigned)keep[i] - 1, 0) < 0) die("close_range", "");
    from = (unsigned)keep[i] + 1;
  }
  if (close_range(from, ~0U, 0) < 0) die("close_range", "");
}

/* Clone the child as a sibling; stage 1 reports its pid and is done. */
static void clone_and_report(unsigned long flags) {
  pid_t pid = clone_parent(flags);
  if (pid < 0) die("clone", "");
  if (pid > 0) _exit(send_u64(RUNT_MSG_PID, (uint64_t)pid) == 0 ? 0 : 1);
}

static void report_created(void) {
  if (send_msg(RUNT_MSG_CREATED, NULL, 0) < 0) die("sync", "CREATED");
  mark_created();
  close(FDS.sync);
  FDS.sync = -1;
}

static void run_init(void) {
  /* still in the host's namespaces: what must be made from here */
  take_net_devices();
  prepare_idmapped_mounts();
  join_namespaces();
  setup_time_namespace();
  /* the cgroup namespace is unshared after CONTINUE, once the parent has put the
   * init into its cgroup, so the namespace's root is the container's cgroup */
  /* an unprivileged parent can open the child's uid_map/gid_map only while the child is
   * dumpable: made so before the clone, so the child is dumpable from its first
   * instruction (set in the child, it raced with the parent's write: EACCES), and made
   * non-dumpable again before any container code can run */
  int rootless_userns = (P.clone_flags & CLONE_NEWUSER) && getuid() != 0;
  if (rootless_userns && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) die("prctl", "PR_SET_DUMPABLE");
  clone_and_report(P.clone_flags & ~(unsigned long)(CLONE_NEWTIME | CLONE_NEWCGROUP));

  wait_continue();
  if (rootless_userns && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) die("prctl", "PR_SET_DUMPABLE");
  if (P.clone_flags & CLONE_NEWUSER) {
    if (setresgid(0, 0, 0) < 0) die("setresgid", "");
    if (setresuid(0, 0, 0) < 0) die("setresuid", "");
  }
  remember_cgroup2_dir(); /* before the cgroup namespace hides where the cgroup is */
  if ((P.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) die("unshare", "cgroup");
  if (setsid() < 0) die("setsid", "");

  move_net_devices();
  prepare_rootfs();
  if (P.hook_pause) {
    if (send_msg(RUNT_MSG_HOOKS, NULL, 0) < 0) die("sync", "HOOKS");
    wait_hook_states();
  }
  run_hooks(HOOK_CREATE_CONTAINER); /* in the container's namespaces, before pivot_root */
  enter_rootfs();
  setup_terminal(1);
  set_host_and_domain_names();
  apply_sysctls();
  finish_rootfs();
  join_session_keyring();
  apply_process_attributes();
  apply_lsm_labels();
  change_dir_and_user();
  const char *path = resolve_executable();
  if (P.no_new_privs) install_seccomp(); /* as late as the listener fd can still reach the runtime */
  /* without an exec fifo (run) the process starts at once: startContainer hooks now,
   * while a failure can still go back over the sync socket */
  if (FDS.fifo < 0) run_hooks(HOOK_START_CONTAINER);
  report_created();
  wait_for_start();
  exec_process(path);
}

static void run_join(void) {
  /* execCPUAffinity: initial before the process joins the container's cgroup (the
   * parent moves it in before CONTINUE), final once it is there */
  apply_cpu_affinity(P.affinity_initial, "initial");
  join_namespaces();
  clone_and_report(0); /* a joined pid namespace applies to children only */
  wait_continue();
  apply_cpu_affinity(P.affinity_final, "final");
  if (setsid() < 0) die("setsid", "");
  setup_terminal(0);
  if (P.hook_pause) {
    /* the runtime takes the pty master (and sets it up) before the process can write to it */
    if (send_msg(RUNT_MSG_HOOKS, NULL, 0) < 0) die("sync", "HOOKS");
    wait_continue();
  }
  join_session_keyring();
  apply_process_attributes();
  apply_lsm_labels();
  change_dir_and_user();
  /* the container's user and capabilities, not yet its program: only non-dumpability
   * keeps the container's processes from ptrace and /proc/PID/mem here (CVE-2016-9962) */
  stop_point("exec:capset");
  const char *path = resolve_executable();
  if (P.no_new_privs) install_seccomp();
  exec_process(path);
}

int main(int argc, char **argv) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (argc != 4) parse_fd("");
  FDS.sync = parse_fd(argv[1]);
  FDS.fifo = parse_fd(argv[2]);
  FDS.console = parse_fd(argv[3]);
  if (FDS.sync < 0) parse_fd("");
  reset_signals();

  size_t len;
  char *buf = read_plan_frame(&len);
  const char *why = "";
  if (plan_decode(buf, len, &why) < 0) die("plan", why);
  close_other_fds();
  umask(022);

  /* done here, with the host's privileges and /proc, and inherited by the child */
  apply_oom_score_adj();
  apply_rlimits();
  read_cap_last_cap();

  if (P.mode == MODE_JOIN) run_join();
  else run_init();
  return 0;
}
