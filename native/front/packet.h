/* Sending and receiving one SOCK_SEQPACKET packet with up to RUNT_FP_MAX_FDS descriptors
 * (SCM_RIGHTS), for the front-end and the addon's planner side. Header-only C. */
#ifndef RUNT_FRONT_PACKET_H
#define RUNT_FRONT_PACKET_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "front/protocol.h"

/* Sends one packet: payload (len bytes, may be 0) with nfds descriptors. -1 with errno. */
static inline int runt_packet_send(int sock, const void *payload, size_t len, const int *fds, int nfds) {
  char control[CMSG_SPACE(sizeof(int) * RUNT_FP_MAX_FDS)];
  struct iovec iov = {(void *)payload, len};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds > RUNT_FP_MAX_FDS) {
    errno = EINVAL;
    return -1;
  }
  if (nfds > 0) {
    memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

/* Receives one packet into buf (size bytes); fds[] gets the descriptors that came with it
 * (close-on-exec), *nfds their count. Returns the packet's length, 0 at EOF, -1 with errno
 * (EMSGSIZE: the packet or its descriptors were cut short; those that came are closed). */
static inline ssize_t runt_packet_recv(int sock, void *buf, size_t size, int *fds, int *nfds) {
  char control[CMSG_SPACE(sizeof(int) * RUNT_FP_MAX_FDS)];
  struct iovec iov = {buf, size};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  memset(control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  *nfds = 0;
  if (n < 0) return -1;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    int count = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count && *nfds < RUNT_FP_MAX_FDS; i++) memcpy(&fds[(*nfds)++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (int i = 0; i < *nfds; i++) close(fds[i]);
    *nfds = 0;
    errno = EMSGSIZE;
    return -1;
  }
  return n;
}

#endif
