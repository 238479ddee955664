/* The executor's side of the sync socket, and the single way every step fails:
 * an ERROR frame to the parent before CREATED, one line on stderr after it. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/protocol.h"

static int created;
static int fifo_report = -1; /* after CREATED: the exec fifo `start` reads, or -1 */

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

/* the payload of the next message, which must be of this type */
static char *read_payload(uint32_t want, const char *name, size_t *len) {
  uint32_t type, n;
  if (read_header(&type, &n) < 0 || type == RUNT_MSG_ABORT) _exit(1); /* the parent gave up */
  if (type != want) fail(EPROTO, "sync", name);
  if (n > MAX_PLAN_BYTES) fail(E2BIG, "sync", name);
  /* mmap, not malloc: this also runs in the cloned init (HOOK_STATE) */
  char *buf = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED) die("sync", name);
  if (read_full(FDS.sync, buf, n) != (ssize_t)n) fail(EPROTO, "sync", name);
  *len = n;
  return buf;
}

char *read_plan_frame(size_t *len) {
  return read_payload(RUNT_MSG_PLAN, "expected PLAN", len);
}

void wait_hook_states(void) {
  if (P.nhooks > 0) {
    size_t len;
    char *states = read_payload(RUNT_MSG_HOOK_STATE, "expected HOOK_STATE", &len);
    set_hook_states(states, len);
  }
  wait_continue();
}

void report_to_fifo(int fd) {
  fifo_report = fd;
}

void mark_created(void) {
  created = 1;
}

/* Appends s to buf at *at, never past size - 1. */
static void append(char *buf, size_t size, size_t *at, const char *s) {
  while (*s && *at + 1 < size) buf[(*at)++] = *s++;
  buf[*at] = '\0';
}

/* ERROR payload: u64 errno | step NUL | path NUL | detail NUL; returns its length */
static size_t error_payload(char *payload, int err, const char *step, const char *path, const char *detail) {
  size_t at = 8;
  uint64_t e = (uint64_t)err;
  memcpy(payload, &e, 8);
  const char *parts[3] = {step, path, detail};
  const size_t caps[3] = {63, 4095, 511};
  for (int i = 0; i < 3; i++) {
    size_t n = strnlen(parts[i], caps[i]);
    memcpy(payload + at, parts[i], n);
    payload[at + n] = '\0';
    at += n + 1;
  }
  return at;
}

void fail(int err, const char *step, const char *path) {
  fail_detail(err, step, path, "");
}

void fail_detail(int err, const char *step, const char *path, const char *detail) {
  if (!path) path = "";
  char payload[1 + 8 + 64 + 4096 + 512]; /* the fifo report puts '1' before it */
  if (!created && FDS.sync >= 0) {
    size_t n = error_payload(payload, err, step, path, detail);
    if (send_msg(RUNT_MSG_ERROR, payload, (uint32_t)n) == 0) _exit(1);
  }
  if (created && fifo_report >= 0) {
    /* `start` reads '1' and this payload instead of the '0' that lets it go on */
    payload[0] = '1';
    size_t n = error_payload(payload + 1, err, step, path, detail);
    if (write_all(fifo_report, payload, n + 1) == 0) _exit(1);
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
  if (*detail) {
    append(line, sizeof line, &at, ": ");
    append(line, sizeof line, &at, detail);
  }
  append(line, sizeof line, &at, "\n");
  (void)write_all(2, line, at);
  _exit(127);
}

void die(const char *step, const char *path) {
  fail(errno, step, path);
}
