// linux.resources.hugepageLimits -> hugetlb writes (pure), and the page sizes a host
// offers. As runc: each limit goes to the usage file and, where the kernel has
// reservation accounting (5.7+), to the reservation file too (the spec's preferred
// meaning of the limit). A page size the host lacks is an error naming the entry.

import fs from 'node:fs'
import { ConfigError } from '../errors'
import type { HugepageLimit } from '../spec/types'
import { cgroupWrite as write, type CgroupWrite } from './write'

const UNITS = ['KB', 'MB', 'GB', 'TB']

/** "hugepages-2048kB" (a /sys/kernel/mm/hugepages entry) -> "2MB", as cgroup file names spell sizes */
export function hugePageSizeName(dirName: string): string | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dirName)
  if (!m) return undefined
  let size = Number(m[1])
  let u = 0
  while (size >= 1024 && size % 1024 === 0 && u < UNITS.length - 1) {
    size /= 1024
    u++
  }
  return `${size}${UNITS[u]}`
}

/** The huge page sizes this host's kernel offers ("2MB", "1GB"); [] without hugetlbfs support. */
export function hostHugePageSizes(): string[] {
  try {
    return fs.readdirSync('/sys/kernel/mm/hugepages').flatMap(n => hugePageSizeName(n) ?? [])
  } catch {
    return []
  }
}

/** The writes for the limits; v2 names files .max / .rsvd.max, v1 .limit_in_bytes / .rsvd.limit_in_bytes. */
export function hugetlbWrites(limits: HugepageLimit[], version: 1 | 2, sizes: readonly string[]): CgroupWrite[] {
  const problems: string[] = []
  const w: CgroupWrite[] = []
  const suffix = version === 2 ? 'max' : 'limit_in_bytes'
  limits.forEach((l, i) => {
    if (!sizes.includes(l.pageSize)) {
      problems.push(`linux.resources.hugepageLimits[${i}].pageSize: ${JSON.stringify(l.pageSize)} is not a huge page size of this host (${sizes.join(', ') || 'none'})`)
      return
    }
    w.push(write('hugetlb', `hugetlb.${l.pageSize}.${suffix}`, l.limit), write('hugetlb', `hugetlb.${l.pageSize}.rsvd.${suffix}`, l.limit, true))
  })
  if (problems.length > 0) throw new ConfigError(problems)
  return w
}
