// One cgroup file write, the unit every resource translation produces (resources.ts,
// blkio.ts, hugetlb.ts, devices.ts) and the manager carries out in order.

export interface CgroupWrite {
  /** the controller owning the file: on v1 it picks the hierarchy */
  controller: string
  file: string
  value: string
  /** skip silently when the kernel has no such file (swap accounting disabled, no hugetlb reservations) */
  ifExists?: boolean
  /** hybrid host: the file is in the cgroup2 group (a controller only the cgroup2 mount has, or a unified key) */
  cgroup2?: boolean
  /** the config field, where a missing file must be an error naming it (unified keys) */
  field?: string
}

export const cgroupWrite = (controller: string, file: string, value: string | number, ifExists?: boolean): CgroupWrite =>
  ifExists ? { controller, file, value: String(value), ifExists } : { controller, file, value: String(value) }

/** The same writes, aimed at the cgroup2 group of a hybrid host. */
export const inCgroup2 = (ws: CgroupWrite[]): CgroupWrite[] => ws.map(w => ({ ...w, cgroup2: true }))
