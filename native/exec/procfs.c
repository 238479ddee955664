/* The procfs the executor uses after pivot_root. The container's /proc is the
 * container's: its config, its image or a sibling sharing a volume may have put a
 * tmpfs there, or bind-mounted one file over a procfs file (CVE-2019-16884,
 * CVE-2025-52881). So sysctls are written through a private handle: a detached clone
 * of the one mount at /proc (without submounts, so nothing mounted over a file inside
 * it counts), or a fresh procfs when the clone is refused, checked to be the root of a
 * procfs, with files below it opened without crossing a mount or following a symlink.
 * The exec fifo, reopened later as the container's user (who may not clone /proc),
 * is reopened by path and checked to be the very same file before it is written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"

#define PROC_ROOT_INO 1

static int proc_root = -1;

static void require_procfs(int fd, const char *step, const char *path) {
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0) die(step, path);
  if (sf.f_type != PROC_SUPER_MAGIC) fail(EXDEV, step, path); /* not procfs: refuse */
}

/* a new procfs instance (of our pid namespace), detached */
static int fresh_procfs(void) {
  int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  int mnt = -1;
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  int err = errno;
  close(fs);
  errno = err;
  return mnt;
}

int proc_root_fd(const char *step) {
  if (proc_root >= 0) return proc_root;
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0 && (errno == EINVAL || errno == EPERM)) fd = fresh_procfs(); /* e.g. a mount with locked submounts */
  if (fd < 0) die(step, "/proc");
  struct stat st;
  require_procfs(fd, step, "/proc");
  if (fstat(fd, &st) < 0) die(step, "/proc");
  if (st.st_ino != PROC_ROOT_INO) fail(EXDEV, step, "/proc"); /* a directory inside a procfs, not its root */
  proc_root = fd;
  return fd;
}

void close_proc_root(void) {
  if (proc_root >= 0) close(proc_root);
  proc_root = -1;
}

int open_proc_file(const char *rel, int flags, const char *step) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, proc_root_fd(step), rel, &how, sizeof how);
  if (fd < 0) return -1;
  require_procfs(fd, step, rel);
  return fd;
}

int reopen_fd(int fd, int flags, const char *step) {
  /* This runs as the container's user, who may not clone /proc: open by path, then
   * check that what opened is the very file fd names before anything is written. */
  char path[64];
  struct stat want, got;
  fd_path(path, sizeof path, fd);
  if (fstat(fd, &want) < 0) die(step, path);
  int reopened = open(path, flags | O_CLOEXEC | O_NOCTTY);
  if (reopened < 0) die(step, path);
  if (fstat(reopened, &got) < 0) die(step, path);
  if (got.st_dev != want.st_dev || got.st_ino != want.st_ino) fail(EXDEV, step, "/proc/self/fd leads elsewhere (a fake /proc)");
  return reopened;
}
