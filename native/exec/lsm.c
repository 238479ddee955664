/* LSM labels for the coming execve: process.apparmorProfile ("exec <profile>" into
 * attr/apparmor/exec, or the older attr/exec) and process.selinuxLabel (attr/exec).
 *
 * The files are this thread's, reached through the /proc the process sees now (the
 * container's, in an init). A container's image or mounts could put something else
 * there (CVE-2019-16884: a volume over /proc made the write a no-op and the
 * process ran unconfined), so the file must be on procfs, on the very mount that
 * /proc itself is, or nothing is written and the process does not start. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "exec/exec.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

static uint64_t mount_id(int fd, const char *what) {
  struct statx st;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &st) < 0) die("statx", what);
  if (!(st.stx_mask & STATX_MNT_ID)) fail(ENOTSUP, "statx mount id", what);
  return st.stx_mnt_id;
}

static void require_procfs(int fd, const char *what) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) < 0) die("fstatfs", what);
  if (sfs.f_type != PROC_SUPER_MAGIC) fail(EXDEV, "lsm label file is not on procfs:", what);
}

/* Opens /proc/thread-self/attr/<name> for writing, verified; -1 with errno ENOENT when
 * the file does not exist. `shown` names the file in errors. */
static int open_attr(int proc, const char *name, const char *shown) {
  char rel[64] = "thread-self/attr/";
  if (strlen(rel) + strlen(name) + 1 > sizeof rel) fail(ENAMETOOLONG, "lsm label", name);
  strcat(rel, name);
  int fd = openat(proc, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    die("open", shown);
  }
  require_procfs(fd, shown);
  if (mount_id(fd, shown) != mount_id(proc, "/proc")) fail(EXDEV, "lsm label file is not on the /proc mount:", shown);
  return fd;
}

static void write_attr(int fd, const char *step, const char *shown, const char *prefix, const char *value) {
  char buf[4096];
  size_t plen = strlen(prefix), vlen = strlen(value);
  if (plen + vlen >= sizeof buf) fail(ENAMETOOLONG, step, shown);
  memcpy(buf, prefix, plen);
  memcpy(buf + plen, value, vlen);
  ssize_t n;
  do n = write(fd, buf, plen + vlen); while (n < 0 && errno == EINTR);
  if (n < 0) die(step, shown);
  if ((size_t)n != plen + vlen) fail(EIO, step, shown);
  close(fd);
}

void apply_lsm_labels(void) {
  if (!P.apparmor_profile && !P.selinux_label) return;
  int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) die("open", "/proc");
  require_procfs(proc, "/proc");
  if (P.apparmor_profile) {
    const char *shown = "/proc/thread-self/attr/apparmor/exec";
    int fd = open_attr(proc, "apparmor/exec", shown);
    if (fd < 0) { /* kernels before 5.8 have only the shared file */
      shown = "/proc/thread-self/attr/exec";
      fd = open_attr(proc, "exec", shown);
      if (fd < 0) die("open", shown);
    }
    write_attr(fd, "write apparmor profile to", shown, "exec ", P.apparmor_profile);
  }
  if (P.selinux_label) {
    const char *shown = "/proc/thread-self/attr/exec";
    int fd = open_attr(proc, "exec", shown);
    if (fd < 0) die("open", shown);
    write_attr(fd, "write selinux label to", shown, "", P.selinux_label);
  }
  close(proc);
}
