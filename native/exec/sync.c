/* The executor's side of the sync socket, and the single way every step fails:
 * an ERROR frame to the parent before CREATED, one line on stderr after it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/protocol.h"

static int created;

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* bytes read: len, or fewer at EOF; -1 on error */
static ssize_t read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, p + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

int send_msg(uint32_t type, const void *payload, uint32_t len) {
  uint32_t header[2] = {type, len};
  if (write_all(FDS.sync, header, sizeof header) < 0) return -1;
  return len ? write_all(FDS.sync, payload, len) : 0;
}

int send_u64(uint32_t type, uint64_t value) {
  return send_msg(type, &value, sizeof value);
}

static int read_header(uint32_t *type, uint32_t *len) {
  uint32_t header[2];
  if (read_full(FDS.sync, header, sizeof header) != (ssize_t)sizeof header) return -1;
  *type = header[0];
  *len = header[1];
  return 0;
}

void wait_continue(void) {
  uint32_t type, len;
  if (read_header(&type, &len) < 0 || type == RUNT_MSG_ABORT) _exit(1); /* the parent gave up */
  if (type != RUNT_MSG_CONTINUE || len != 0) fail(EPROTO, "sync", "expected CONTINUE");
}

char *read_plan_frame(size_t *len) {
  uint32_t type, n;
  if (read_header(&type, &n) < 0) _exit(1);
  if (type != RUNT_MSG_PLAN) fail(EPROTO, "sync", "expected PLAN");
  if (n > MAX_PLAN_BYTES) fail(E2BIG, "plan", "");
  char *buf = malloc(n ? n : 1);
  if (!buf) die("plan", "");
  if (read_full(FDS.sync, buf, n) != (ssize_t)n) fail(EPROTO, "sync", "truncated PLAN");
  *len = n;
  return buf;
}

void mark_created(void) {
  created = 1;
}

/* Appends s to buf at *at, never past size - 1. */
static void append(char *buf, size_t size, size_t *at, const char *s) {
  while (*s && *at + 1 < size) buf[(*at)++] = *s++;
  buf[*at] = '\0';
}

void fail(int err, const char *step, const char *path) {
  if (!path) path = "";
  if (!created && FDS.sync >= 0) {
    char payload[8 + 64 + 4096 + 2];
    size_t step_len = strnlen(step, 63), path_len = strnlen(path, 4095);
    uint64_t e = (uint64_t)err;
    memcpy(payload, &e, 8);
    memcpy(payload + 8, step, step_len);
    payload[8 + step_len] = '\0';
    memcpy(payload + 9 + step_len, path, path_len);
    payload[9 + step_len + path_len] = '\0';
    if (send_msg(RUNT_MSG_ERROR, payload, (uint32_t)(10 + step_len + path_len)) == 0) _exit(1);
  }
  char line[4096 + 256];
  size_t at = 0;
  append(line, sizeof line, &at, "runt-exec: ");
  append(line, sizeof line, &at, step);
  append(line, sizeof line, &at, ": ");
  append(line, sizeof line, &at, strerror(err));
  if (*path) {
    append(line, sizeof line, &at, " (");
    append(line, sizeof line, &at, path);
    append(line, sizeof line, &at, ")");
  }
  append(line, sizeof line, &at, "\n");
  (void)write_all(2, line, at);
  _exit(127);
}

void die(const char *step, const char *path) {
  fail(errno, step, path);
}
