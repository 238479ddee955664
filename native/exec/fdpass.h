/* Passing one descriptor over a unix socket (SCM_RIGHTS), shared by the executor (which
 * sends the pty master) and the addon. Plain C, header-only, async-signal-safe. */
#ifndef RUNT_FDPASS_H
#define RUNT_FDPASS_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* A message header over one buffer with room for one descriptor. */
static inline void runt_fd_msg(struct msghdr *msg, struct iovec *iov, char *control, size_t control_len) {
  memset(msg, 0, sizeof *msg);
  memset(control, 0, control_len);
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control;
  msg->msg_controllen = control_len;
}

/* Sends payload (len >= 1) with fd attached; returns bytes sent or -1 with errno. */
static inline ssize_t runt_send_fd(int sock, int fd, const void *payload, size_t len) {
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {(void *)payload, len};
  struct msghdr msg;
  runt_fd_msg(&msg, &iov, control, sizeof control);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  return n;
}

/* Receives one message into buf; *fd gets the attached descriptor (close-on-exec) or -1
 * when none came with it. Returns bytes received (0 at EOF), or -1 with errno. */
static inline ssize_t runt_recv_any(int sock, void *buf, size_t size, int *fd) {
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {buf, size};
  struct msghdr msg;
  runt_fd_msg(&msg, &iov, control, sizeof control);
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  *fd = -1;
  if (n < 0) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
    memcpy(fd, CMSG_DATA(cm), sizeof(int));
  return n;
}

/* As runt_recv_any, but a message without a descriptor is an error (EBADMSG). */
static inline ssize_t runt_recv_fd(int sock, void *buf, size_t size, int *fd) {
  ssize_t n = runt_recv_any(sock, buf, size, fd);
  if (n >= 0 && *fd < 0) {
    errno = n == 0 ? ECONNRESET : EBADMSG;
    return -1;
  }
  return n;
}

#endif
