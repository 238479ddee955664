/* The user process: limits, keyring, working directory, user and capabilities, the
 * executable looked up the way execvp would, the exec fifo, and execve. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int cap_last_cap = 40;

void apply_oom_score_adj(void) {
  if (!P.has_oom_score_adj) return;
  char text[24];
  int64_t v = P.oom_score_adj;
  text[0] = '-';
  format_u64(text + (v < 0), v < 0 ? (uint64_t)(-v) : (uint64_t)v);
  if (write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", text, strlen(text), 0) < 0)
    die("oom_score_adj", "/proc/self/oom_score_adj");
}

void apply_rlimits(void) {
  for (int i = 0; i < P.nrlimits; i++) {
    struct rlimit rl = {(rlim_t)P.rlimits[i].soft, (rlim_t)P.rlimits[i].hard};
    if (setrlimit(P.rlimits[i].resource, &rl) < 0) {
      char num[21];
      die("setrlimit", format_u64(num, (uint64_t)P.rlimits[i].resource));
    }
  }
}

/* Read while the host's /proc is still there: the container may not mount one. */
/* sched_setaffinity from a plan list "0,1,5" (TypeScript has checked and sorted it) */
void apply_cpu_affinity(const char *list, const char *which) {
  if (!list) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const char *p = list; *p;) {
    unsigned long cpu = 0;
    if (*p < '0' || *p > '9') die("plan", "bad cpu list");
    while (*p >= '0' && *p <= '9') cpu = cpu * 10 + (unsigned long)(*p++ - '0');
    if (cpu >= CPU_SETSIZE) die("plan", "cpu number too large");
    CPU_SET(cpu, &set);
    if (*p == ',') p++;
  }
  if (sched_setaffinity(0, sizeof set, &set) < 0) die("sched_setaffinity", which);
}

void read_cap_last_cap(void) {
  char buf[16];
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (P.has_caps) die("open", "/proc/sys/kernel/cap_last_cap");
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) die("read", "/proc/sys/kernel/cap_last_cap");
  buf[n] = '\0';
  cap_last_cap = atoi(buf);
}

void join_session_keyring(void) {
  if (!P.new_keyring) return;
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0) {
    if (errno == ENOSYS || (errno == EPERM && in_user_ns())) return;
    die("keyctl", "session keyring");
  }
}

static void drop_bounding_set(void) {
  for (int cap = 0; cap <= cap_last_cap && cap < 64; cap++) {
    if (P.cap_bounding & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) die("capbset_drop", "");
  }
}

static void set_capabilities(void) {
  /* capabilities newer than this kernel are left out (the runtime has warned), as runc does */
  uint64_t known = cap_last_cap >= 63 ? ~0ULL : (1ULL << (cap_last_cap + 1)) - 1;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    data[i].effective = (uint32_t)((P.cap_effective & known) >> (32 * i));
    data[i].permitted = (uint32_t)((P.cap_permitted & known) >> (32 * i));
    data[i].inheritable = (uint32_t)((P.cap_inheritable & known) >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) < 0) die("capset", "");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) die("ambient", "");
  for (int cap = 0; cap <= cap_last_cap && cap < 64; cap++) {
    if (!(P.cap_ambient & (1ULL << cap))) continue;
    /* like runc: an ambient capability missing from permitted/inheritable is skipped */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM) die("ambient", "");
  }
}

static void set_groups(void) {
  if (setgroups((size_t)P.ngids, P.gids) < 0) {
    /* a user namespace with setgroups "deny" has nothing to clear */
    if (!(errno == EPERM && in_user_ns() && P.ngids == 0)) die("setgroups", "");
  }
}

void change_dir_and_user(void) {
  /* try the directory as the runtime's user first: it may be unreachable to the
   * container's user; EACCES is retried once the user is set */
  int cwd_done = chdir(P.cwd) == 0;
  if (!cwd_done && errno != EACCES && errno != EPERM) die("chdir", P.cwd);
  if (P.has_caps) {
    drop_bounding_set();
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) die("prctl keepcaps", "");
  }
  /* without no_new_privs the filter needs CAP_SYS_ADMIN: the last moment is before the user change */
  if (!P.no_new_privs) install_seccomp();
  set_groups();
  if (setresgid((gid_t)P.gid, (gid_t)P.gid, (gid_t)P.gid) < 0) die("setresgid", "");
  if (setresuid((uid_t)P.uid, (uid_t)P.uid, (uid_t)P.uid) < 0) die("setresuid", "");
  if (P.has_caps) {
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) die("prctl keepcaps", "");
    set_capabilities();
  }
  if (!cwd_done && chdir(P.cwd) < 0) die("chdir", P.cwd);
  umask(P.has_umask ? (mode_t)P.umask : 022);
  if (P.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("prctl no_new_privs", "");
}

/* 0 when path is a regular file this process may execute, else -1 with errno */
static int executable(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return -1;
  if (!S_ISREG(st.st_mode)) {
    errno = EACCES;
    return -1;
  }
  return access(path, X_OK);
}

static const char *env_path(void) {
  for (int i = 0; i < P.nenv; i++)
    if (strncmp(P.env[i], "PATH=", 5) == 0) return P.env[i] + 5;
  return DEFAULT_PATH;
}

const char *resolve_executable(void) {
  static char found[PATH_MAX];
  const char *name = P.args[0];
  if (strchr(name, '/')) {
    if (executable(name) < 0) die("exec", name);
    return name;
  }
  size_t nlen = strlen(name);
  int denied = 0;
  for (const char *dir = env_path();; dir++) {
    const char *end = strchrnul(dir, ':');
    size_t dlen = (size_t)(end - dir);
    if (dlen == 0) { /* an empty entry means the working directory */
      dir = ".";
      dlen = 1;
    }
    if (dlen + 1 + nlen < sizeof found) {
      memcpy(found, dir, dlen);
      found[dlen] = '/';
      memcpy(found + dlen + 1, name, nlen + 1);
      if (executable(found) == 0) return found;
      if (errno == EACCES) denied = 1;
    }
    if (*end == '\0') break;
    dir = end;
  }
  fail(denied ? EACCES : ENOENT, "exec", name);
}

/* Blocks until `start` opens the exec fifo for reading, then tells it we are going. */
void wait_for_start(void) {
  if (FDS.fifo < 0) return;
  /* the container's /proc may be a fake by now: reopen_fd checks where it led */
  int fd = reopen_fd(FDS.fifo, O_WRONLY, "open exec fifo");
  /* `start` is here: its startContainer hooks run first, a failure goes back to it */
  report_to_fifo(fd);
  run_hooks(HOOK_START_CONTAINER);
  report_to_fifo(-1);
  ssize_t n;
  do n = write(fd, "0", 1); while (n < 0 && errno == EINTR);
  if (n != 1) die("write exec fifo", "");
  close(fd);
  close(FDS.fifo);
  FDS.fifo = -1;
}

void exec_process(const char *path) {
  if (FDS.fifo >= 0) close(FDS.fifo);
  if (FDS.console >= 0) close(FDS.console);
  /* the sync socket stays open until execve succeeds: its EOF tells the parent */
  if (FDS.sync >= 0 && fcntl(FDS.sync, F_SETFD, FD_CLOEXEC) < 0) die("fcntl", "sync socket");
  if (close_range(3 + (unsigned)P.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) die("close_range", "");
  execve(path, P.args, P.env);
  die("exec", P.args[0]);
}
