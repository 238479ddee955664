/* tmpcopyup: what a directory held, copied into the tmpfs just mounted over it. Works on
 * descriptors only (the covered directory stays reachable through the one taken before
 * mounting) and never follows a symlink; owners, modes and times are kept. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"

#define MAX_COPY_DEPTH 64

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static char copy_buf[65536];

static void copy_owner_mode_times(int dirfd, const char *name, const struct stat *st, const char *path) {
  if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0) die("tmpcopyup: chown", path);
  if (!S_ISLNK(st->st_mode) && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0) die("tmpcopyup: chmod", path);
  struct timespec times[2] = {st->st_atim, st->st_mtim};
  if (utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW) < 0) die("tmpcopyup: utimensat", path);
}

static void copy_file(int src, int dst, const char *name, const char *path) {
  int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) die("tmpcopyup: open", path);
  int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) die("tmpcopyup: create", path);
  for (;;) {
    ssize_t n = read(in, copy_buf, sizeof copy_buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("tmpcopyup: read", path);
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, copy_buf + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) die("tmpcopyup: write", path);
      done += w;
    }
  }
  close(in);
  close(out);
}

static void copy_entries(int src, int dst, const char *path, int depth);

static void copy_entry(int src, int dst, const char *name, const char *path, int depth) {
  struct stat st;
  if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) die("tmpcopyup: stat", path);
  if (S_ISDIR(st.st_mode)) {
    if (depth >= MAX_COPY_DEPTH) fail(ELOOP, "tmpcopyup: too deep", path);
    if (mkdirat(dst, name, 0700) < 0) die("tmpcopyup: mkdir", path);
    int sub_src = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_src < 0) die("tmpcopyup: open", path);
    int sub_dst = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_dst < 0) die("tmpcopyup: open", path);
    copy_entries(sub_src, sub_dst, path, depth + 1);
    close(sub_src);
    close(sub_dst);
  } else if (S_ISREG(st.st_mode)) {
    copy_file(src, dst, name, path);
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(src, name, target, sizeof target - 1);
    if (n < 0) die("tmpcopyup: readlink", path);
    target[n] = '\0';
    if (symlinkat(target, dst, name) < 0) die("tmpcopyup: symlink", path);
  } else {
    if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) die("tmpcopyup: mknod", path);
  }
  copy_owner_mode_times(dst, name, &st, path);
}

static void copy_entries(int src, int dst, const char *path, int depth) {
  char buf[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, src, buf, sizeof buf);
    if (n < 0) die("tmpcopyup: getdents", path);
    if (n == 0) return;
    for (long at = 0; at < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);
      at += d->d_reclen;
      if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
      copy_entry(src, dst, d->d_name, path, depth);
    }
  }
}

void copy_tree(int src, int dst, const char *path) {
  struct stat st;
  if (fstat(src, &st) < 0) die("tmpcopyup: stat", path);
  copy_entries(src, dst, path, 0);
  if (fchown(dst, st.st_uid, st.st_gid) < 0) die("tmpcopyup: chown", path);
  if (fchmod(dst, st.st_mode & 07777) < 0) die("tmpcopyup: chmod", path);
}
