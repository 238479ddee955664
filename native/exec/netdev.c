/* linux.netDevices (config-linux.md "Network Devices"): host network devices moved into
 * the container's network namespace under their container names, with their permanent
 * global addresses re-added (a move drops them) and the link set up.
 *
 * take_net_devices runs in stage 1 while it is in the runtime's network namespace: it
 * opens a route netlink socket there, finds each device and remembers its addresses.
 * move_net_devices runs in the container's init, in its network namespace: through the
 * runtime-side socket it moves each device to the namespace of /proc/self/ns/net (keeping
 * its ifindex, so it can be found again whatever the kernel named it), then through a
 * socket of its own namespace it adds the addresses and sets the link up. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/exec.h"

#define MAX_NET_ADDRS 256
#define ADDR_ATTR_BYTES 96

struct saved_addr {
  int dev; /* index into P.net_devices */
  struct ifaddrmsg ifa;
  char attrs[ADDR_ATTR_BYTES];
  size_t attrs_len;
};

static int host_nl = -1;
static int ifindex[MAX_NET_DEVICES];
static struct saved_addr addrs[MAX_NET_ADDRS];
static int naddrs;
static char nl_buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
static uint32_t nl_seq;

static int route_socket(const char *step) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die(step, "netlink");
  return fd;
}

/* Append one attribute to the message in msg (of room bytes). */
static void put_attr(struct nlmsghdr *msg, size_t room, unsigned short type, const void *data, size_t len) {
  size_t at = NLMSG_ALIGN(msg->nlmsg_len);
  if (at + RTA_SPACE(len) > room) fail(E2BIG, "netdevice", "netlink message");
  struct rtattr *rta = (struct rtattr *)((char *)msg + at);
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  msg->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
}

static void send_request(int fd, struct nlmsghdr *msg, const char *step, const char *name) {
  msg->nlmsg_seq = ++nl_seq;
  while (send(fd, msg, msg->nlmsg_len, 0) < 0)
    if (errno != EINTR) die(step, name);
}

/* Send msg and wait for its acknowledgement; a netlink error fails the step. */
static void request_ack(int fd, struct nlmsghdr *msg, const char *step, const char *name) {
  msg->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  send_request(fd, msg, step, name);
  for (;;) {
    ssize_t n = recv(fd, nl_buf, sizeof nl_buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(step, name);
    for (struct nlmsghdr *h = (struct nlmsghdr *)nl_buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != msg->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err) fail(-err, step, name);
      return;
    }
  }
}

static int device_of_index(int index) {
  for (int i = 0; i < P.nnet_devices; i++)
    if (ifindex[i] == index) return i;
  return -1;
}

/* Keep a permanent, global address of one of our devices: its address attributes only
 * (a label would have to start with the old device name). */
static void save_address(struct nlmsghdr *h) {
  struct ifaddrmsg *ifa = NLMSG_DATA(h);
  int dev = device_of_index((int)ifa->ifa_index);
  if (dev < 0 || ifa->ifa_scope != RT_SCOPE_UNIVERSE) return;
  uint32_t flags = ifa->ifa_flags;
  int len = (int)IFA_PAYLOAD(h);
  for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
    if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= sizeof flags) memcpy(&flags, RTA_DATA(a), sizeof flags);
  if (!(flags & IFA_F_PERMANENT)) return;
  if (naddrs >= MAX_NET_ADDRS) fail(E2BIG, "netdevice: addresses", P.net_devices[dev].host_name);
  struct saved_addr *s = &addrs[naddrs++];
  s->dev = dev;
  s->ifa = *ifa;
  s->attrs_len = 0;
  len = (int)IFA_PAYLOAD(h);
  for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type != IFA_ADDRESS && a->rta_type != IFA_LOCAL && a->rta_type != IFA_BROADCAST) continue;
    if (s->attrs_len + RTA_ALIGN(a->rta_len) > sizeof s->attrs) fail(E2BIG, "netdevice: address", P.net_devices[dev].host_name);
    memcpy(s->attrs + s->attrs_len, a, a->rta_len);
    s->attrs_len += RTA_ALIGN(a->rta_len);
  }
}

static void dump_addresses(void) {
  struct {
    struct nlmsghdr h;
    struct ifaddrmsg ifa;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.ifa);
  req.h.nlmsg_type = RTM_GETADDR;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.ifa.ifa_family = AF_UNSPEC;
  send_request(host_nl, &req.h, "netdevice: addresses", "dump");
  for (;;) {
    ssize_t n = recv(host_nl, nl_buf, sizeof nl_buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("netdevice: addresses", "dump");
    for (struct nlmsghdr *h = (struct nlmsghdr *)nl_buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != req.h.nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) fail(-((struct nlmsgerr *)NLMSG_DATA(h))->error, "netdevice: addresses", "dump");
      if (h->nlmsg_type == RTM_NEWADDR) save_address(h);
    }
  }
}

void take_net_devices(void) {
  if (!P.nnet_devices) return;
  host_nl = route_socket("netdevice");
  for (int i = 0; i < P.nnet_devices; i++) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    const char *name = P.net_devices[i].host_name;
    if (strlen(name) >= sizeof ifr.ifr_name) fail(ENAMETOOLONG, "netdevice", name);
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(host_nl, SIOCGIFINDEX, &ifr) < 0) die("netdevice: find on the host", name);
    ifindex[i] = ifr.ifr_ifindex;
  }
  dump_addresses();
}

struct link_req {
  struct nlmsghdr h;
  struct ifinfomsg ifi;
  char attrs[128];
};

static void link_request(struct link_req *req, int index) {
  memset(req, 0, sizeof *req);
  req->h.nlmsg_len = NLMSG_LENGTH(sizeof req->ifi);
  req->h.nlmsg_type = RTM_NEWLINK;
  req->ifi.ifi_family = AF_UNSPEC;
  req->ifi.ifi_index = index;
}

void move_net_devices(void) {
  if (!P.nnet_devices) return;
  int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) die("netdevice", "/proc/self/ns/net");
  struct link_req req;
  for (int i = 0; i < P.nnet_devices; i++) {
    const struct net_device_op *d = &P.net_devices[i];
    uint32_t fd32 = (uint32_t)nsfd;
    int32_t keep_index = ifindex[i];
    link_request(&req, ifindex[i]);
    put_attr(&req.h, sizeof req, IFLA_NET_NS_FD, &fd32, sizeof fd32);
    put_attr(&req.h, sizeof req, IFLA_NEW_IFINDEX, &keep_index, sizeof keep_index);
    put_attr(&req.h, sizeof req, IFLA_IFNAME, d->name, strlen(d->name) + 1);
    request_ack(host_nl, &req.h, "netdevice: move into the container", d->host_name);
  }
  close(nsfd);
  close(host_nl);
  host_nl = -1;

  int own_nl = route_socket("netdevice");
  for (int a = 0; a < naddrs; a++) {
    struct {
      struct nlmsghdr h;
      struct ifaddrmsg ifa;
      char attrs[ADDR_ATTR_BYTES];
    } areq;
    memset(&areq, 0, sizeof areq);
    areq.h.nlmsg_len = NLMSG_LENGTH(sizeof areq.ifa);
    areq.h.nlmsg_type = RTM_NEWADDR;
    areq.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    areq.ifa = addrs[a].ifa;
    areq.ifa.ifa_index = (uint32_t)ifindex[addrs[a].dev];
    memcpy((char *)&areq + NLMSG_ALIGN(areq.h.nlmsg_len), addrs[a].attrs, addrs[a].attrs_len);
    areq.h.nlmsg_len = (uint32_t)(NLMSG_ALIGN(areq.h.nlmsg_len) + addrs[a].attrs_len);
    request_ack(own_nl, &areq.h, "netdevice: add address", P.net_devices[addrs[a].dev].name);
  }
  for (int i = 0; i < P.nnet_devices; i++) {
    link_request(&req, ifindex[i]);
    req.ifi.ifi_flags = IFF_UP;
    req.ifi.ifi_change = IFF_UP;
    request_ack(own_nl, &req.h, "netdevice: set up", P.net_devices[i].name);
  }
  close(own_nl);
}
