/* LSM labels for the coming execve: process.apparmorProfile ("exec <profile>" into
 * attr/apparmor/exec, or the older attr/exec) and process.selinuxLabel (attr/exec).
 *
 * The files are this thread's. The /proc the process sees now (the container's, in an
 * init) may not be procfs, or may have something mounted over the file (CVE-2019-16884:
 * a volume over /proc made the write a no-op and the process ran unconfined). So they
 * are opened through procfs.c's private, verified handle, as sysctls are: only the real
 * procfs file can be reached, whatever is mounted in or over the container's /proc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"

/* Opens this thread's attr/<name> for writing; -1 with errno ENOENT when the file does
 * not exist. The private handle follows no symlink, so "thread-self" is spelled out as
 * "<pid>/task/<tid>" (of the pid namespace the process and its /proc are in); `shown`
 * names the file in errors. */
static int open_attr(const char *name, const char *shown) {
  char rel[96], pid[21], tid[21];
  format_u64(pid, (uint64_t)getpid());
  format_u64(tid, (uint64_t)gettid());
  if (strlen(pid) + strlen(tid) + strlen(name) + sizeof "/task//attr/" > sizeof rel) fail(ENAMETOOLONG, "lsm label", name);
  strcpy(rel, pid);
  strcat(rel, "/task/");
  strcat(rel, tid);
  strcat(rel, "/attr/");
  strcat(rel, name);
  int fd = open_proc_file(rel, O_WRONLY | O_NOCTTY, "lsm label file is not on procfs:");
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    die("open", shown);
  }
  return fd;
}

static void write_attr(int fd, const char *step, const char *shown, const char *prefix, const char *value) {
  char buf[4096];
  size_t plen = strlen(prefix), vlen = strlen(value);
  if (plen + vlen >= sizeof buf) fail(ENAMETOOLONG, step, shown);
  memcpy(buf, prefix, plen);
  memcpy(buf + plen, value, vlen);
  if (write_and_close(fd, buf, plen + vlen) < 0) die(step, shown);
}

void apply_lsm_labels(void) {
  if (!P.apparmor_profile && !P.selinux_label) return;
  if (P.apparmor_profile) {
    const char *shown = "/proc/thread-self/attr/apparmor/exec";
    int fd = open_attr("apparmor/exec", shown);
    if (fd < 0) { /* kernels before 5.8 have only the shared file */
      shown = "/proc/thread-self/attr/exec";
      fd = open_attr("exec", shown);
      if (fd < 0) die("open", shown);
    }
    write_attr(fd, "write apparmor profile to", shown, "exec ", P.apparmor_profile);
  }
  if (P.selinux_label) {
    const char *shown = "/proc/thread-self/attr/exec";
    int fd = open_attr("exec", shown);
    if (fd < 0) die("open", shown);
    write_attr(fd, "write selinux label to", shown, "", P.selinux_label);
  }
  close_proc_root();
}
