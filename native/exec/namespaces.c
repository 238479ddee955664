/* Namespaces: joining existing ones, the time namespace's offsets, and the clone that
 * makes the container's init (or the exec'd process) a child of the runtime. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"

static int joined_flags; /* CLONE_NEW* of the namespaces entered with setns */

/* user first (its capabilities allow joining the others), mount last (it changes root). */
static int join_order(int nstype) {
  return nstype == CLONE_NEWUSER ? 0 : nstype == CLONE_NEWNS ? 2 : 1;
}

void join_namespaces(void) {
  int fds[MAX_JOIN_NS];
  /* open every path first: a joined mount namespace would change what they name */
  for (int i = 0; i < P.njoin; i++) {
    fds[i] = open(P.join[i].path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) die("open namespace", P.join[i].path);
  }
  for (int pass = 0; pass < 3; pass++) {
    for (int i = 0; i < P.njoin; i++) {
      if (join_order(P.join[i].nstype) != pass) continue;
      if (setns(fds[i], P.join[i].nstype) < 0) die("setns", P.join[i].path);
      close(fds[i]);
      joined_flags |= P.join[i].nstype;
    }
  }
  if (joined_flags & CLONE_NEWUSER) {
    /* become root of the joined user namespace; the plan's uid is applied last */
    if (setresgid(0, 0, 0) < 0) die("setresgid", "");
    if (setresuid(0, 0, 0) < 0) die("setresuid", "");
  }
}

/* clone(2) cannot create a time namespace (its flag overlaps the exit signal), so it is
 * unshared here: it applies to the children, which is exactly the init. */
void setup_time_namespace(void) {
  if (!(P.clone_flags & CLONE_NEWTIME)) return;
  if (unshare(CLONE_NEWTIME) < 0) die("unshare", "time");
  for (int i = 0; i < P.ntime_offsets; i++) {
    const struct time_offset *t = &P.time_offsets[i];
    char line[128];
    int n = snprintf(line, sizeof line, "%s %lld %lld\n", t->clock, (long long)t->secs, (long long)t->nsecs);
    if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line, (size_t)n, 0) < 0)
      die("timens_offsets", "/proc/self/timens_offsets");
  }
}

/* fork-like clone (no new stack) whose child is a sibling of this process */
pid_t clone_parent(unsigned long flags) {
  return (pid_t)syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
}

int in_new_mount_ns(void) {
  return (P.clone_flags & CLONE_NEWNS) || (joined_flags & CLONE_NEWNS);
}

int in_user_ns(void) {
  return (P.clone_flags & CLONE_NEWUSER) || (joined_flags & CLONE_NEWUSER);
}

int has_uts_ns(void) {
  return (P.clone_flags & CLONE_NEWUTS) || (joined_flags & CLONE_NEWUTS);
}
