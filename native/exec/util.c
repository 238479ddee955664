/* Small helpers shared by the executor's files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"

int write_file_at(int dirfd, const char *path, const char *data, size_t len, int flags) {
  int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | flags);
  if (fd < 0) return -1;
  return write_and_close(fd, data, len);
}

int write_and_close(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      errno = err;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return close(fd);
}

/* decimal text of v into buf (at least 21 bytes) */
char *format_u64(char *buf, uint64_t v) {
  char tmp[21];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return buf;
}

/* "/proc/self/fd/<fd>": the path that reaches exactly the file behind fd */
void fd_path(char *buf, size_t size, int fd) {
  char num[21];
  format_u64(num, (uint64_t)fd);
  const char *prefix = "/proc/self/fd/";
  size_t plen = strlen(prefix), nlen = strlen(num);
  if (plen + nlen + 1 > size) fail(ENAMETOOLONG, "fd path", "");
  memcpy(buf, prefix, plen);
  memcpy(buf + plen, num, nlen + 1);
}

/* A test attacks the process here while it is stopped (RUNT_TEST_STOP_AT reaches the
 * plan through the launcher only, see src/debug/stop-point.ts); without the tag, nothing. */
void stop_point(const char *point) {
  if (P.test_stop_at && strcmp(P.test_stop_at, point) == 0 && raise(SIGSTOP) != 0) die("raise", point);
}
