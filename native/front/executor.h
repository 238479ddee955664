/* Starting the executor (runt-exec) so that no process that enters a container runs a
 * file of the host: runt-exec is copied into a sealed memfd and the forked child execs
 * that memfd at once, so /proc/<pid>/exe of every process that enters a container names an
 * anonymous, immutable file (the CVE-2019-5736 defence). Shared by the addon (the direct
 * path) and the front-end (the fast path). Header-only C. */
#ifndef RUNT_FRONT_EXECUTOR_H
#define RUNT_FRONT_EXECUTOR_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/protocol.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

struct spawn_failure {
  int err;
  const char *step;
};

static inline int runt_close_keep_errno(int fd) {
  int saved = errno;
  int rc = close(fd);
  errno = saved;
  return rc;
}

/* A read-only descriptor of a sealed memfd copy of the executor (execve refuses a file
 * that is open for writing: ETXTBSY), at a number >= min_fd; -1 with *fail set. */
static inline int runt_sealed_executor(const char *path, int min_fd, struct spawn_failure *fail) {
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return fail->err = errno, fail->step = "open", -1;
  struct stat st;
  if (fstat(src, &st) < 0) {
    *fail = (struct spawn_failure){errno, "fstat"};
    runt_close_keep_errno(src);
    return -1;
  }
  /* MFD_EXEC is required where vm.memfd_noexec is set; older kernels reject the flag */
  int mem = memfd_create("runt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mem < 0 && errno == EINVAL) mem = memfd_create("runt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) {
    *fail = (struct spawn_failure){errno, "memfd_create"};
    runt_close_keep_errno(src);
    return -1;
  }
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(mem, src, NULL, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *fail = (struct spawn_failure){n < 0 ? errno : EIO, "sendfile"};
      runt_close_keep_errno(src);
      runt_close_keep_errno(mem);
      return -1;
    }
    left -= n;
  }
  close(src);
  if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
    *fail = (struct spawn_failure){errno, "F_ADD_SEALS"};
    runt_close_keep_errno(mem);
    return -1;
  }
  char proc_path[64];
  snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", mem);
  int ro = open(proc_path, O_RDONLY | O_CLOEXEC);
  if (ro < 0) *fail = (struct spawn_failure){errno, "open memfd read-only"};
  runt_close_keep_errno(mem);
  if (ro >= 0 && ro < min_fd) {
    int high = fcntl(ro, F_DUPFD_CLOEXEC, min_fd);
    if (high < 0) *fail = (struct spawn_failure){errno, "F_DUPFD_CLOEXEC"};
    close(ro);
    ro = high;
  }
  return ro;
}

/* The ERROR frame the forked child sends when it cannot exec the executor ([type][len]
 * [errno][step][path]), built before fork so the child only patches in errno; its length,
 * or 0 when it does not fit. */
static inline size_t runt_exec_failure_frame(const char *path, char *frame, size_t size) {
  const char *step = "start the executor";
  uint32_t len = (uint32_t)(8 + strlen(step) + 1 + strlen(path) + 1);
  if (8 + (size_t)len > size) return 0;
  memset(frame, 0, 8 + (size_t)len);
  uint32_t type = RUNT_MSG_ERROR;
  memcpy(frame, &type, 4);
  memcpy(frame + 4, &len, 4);
  memcpy(frame + 16, step, strlen(step) + 1);
  memcpy(frame + 16 + strlen(step) + 1, path, strlen(path) + 1);
  return 8 + (size_t)len;
}

/* In the forked child: not dumpable (the CVE-2019-5736 defence, so nothing in a container
 * can open this process's memory or exe), keep the listed descriptors across exec, exec
 * the sealed copy with an empty environment; if any step fails, tell the parent over the
 * sync socket. Only async-signal-safe calls; never returns. */
static inline void runt_exec_executor_child(int exe_fd, const int *keep, int nkeep, char *const argv[], char *frame,
                                            size_t frame_len, int sync_fd) {
  int ok = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
  for (int i = 0; ok && i < nkeep; i++) {
    if (keep[i] < 0) continue;
    int flags = fcntl(keep[i], F_GETFD);
    ok = flags >= 0 && fcntl(keep[i], F_SETFD, flags & ~FD_CLOEXEC) == 0;
  }
  char *const envp[] = {NULL};
  if (ok) syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
  uint64_t err = (uint64_t)errno;
  if (frame_len >= 16) {
    memcpy(frame + 8, &err, 8);
    ssize_t ignored = write(sync_fd, frame, frame_len);
    (void)ignored;
  }
  _exit(127);
}

#endif
