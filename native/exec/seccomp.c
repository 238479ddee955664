/* The seccomp filter of the plan (compiled by the runtime with libseccomp), installed
 * with seccomp(2). With SECCOMP_FILTER_FLAG_NEW_LISTENER the kernel returns the
 * listener of SCMP_ACT_NOTIFY, which goes to the runtime over the sync socket
 * (RUNT_MSG_SECCOMP_FD, fd attached) and is closed here. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/fdpass.h"
#include "exec/protocol.h"

void install_seccomp(void) {
  if (!P.seccomp_filter) return;
  struct sock_fprog prog = {(unsigned short)P.seccomp_insns, (struct sock_filter *)(void *)P.seccomp_filter};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned long)P.seccomp_flags, &prog);
  if (fd < 0) die("seccomp", "");
  if (!(P.seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return;
  uint32_t header[2] = {RUNT_MSG_SECCOMP_FD, 0};
  if (runt_send_fd(FDS.sync, (int)fd, header, sizeof header) != (ssize_t)sizeof header) die("sync", "seccomp listener");
  close((int)fd);
}
