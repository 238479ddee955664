// linux.resources.blockIO -> blkio (v1) or io (v2) writes (pure), as runc writes them:
// v1: the weight to blkio.weight, or to blkio.bfq.weight where the kernel has only the
//     BFQ files; leaf weights to blkio.leaf_weight(_device); throttles per device.
// v2: the weight to io.bfq.weight as given (1-1000, BFQ's own scale) where BFQ is
//     there, else to io.weight converted from blkio's 10-1000 to 1-10000; per-device
//     weights to io.bfq.weight where the kernel takes them (5.4+: reading it shows
//     "default N" rather than one number), else to io.weight; throttles as io.max keys.
// cgroup v2 has no leaf weights: refuseUnapplied() names them.

import { ConfigError } from '../errors'
import type { BlockIO, BlockIODeviceThrottle } from '../spec/types'
import { cgroupWrite as write, type CgroupWrite } from './write'

/** a file's text in the container's group, undefined when the kernel has no such file */
export type ReadGroupFile = (controller: string, file: string) => string | undefined

const THROTTLES: [keyof BlockIO, string, string][] = [
  ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device', 'rbps'],
  ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device', 'wbps'],
  ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device', 'riops'],
  ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device', 'wiops'],
]

const given = (n: number | undefined | null): n is number => n !== undefined && n !== null && n !== 0

/** blkio weight (10..1000) -> io.weight (1..10000), runc's linear mapping */
export function blkioWeightToIoWeight(weight: number, field: string): number {
  if (weight < 10 || weight > 1000) throw new ConfigError([`linux.resources.blockIO.${field}: ${weight} is out of range 10-1000`])
  return 1 + Math.floor(((weight - 10) * 9999) / 990)
}

export function v1BlkioWrites(b: BlockIO, read: ReadGroupFile): CgroupWrite[] {
  const w: CgroupWrite[] = []
  const cfq = read('blkio', 'blkio.weight') !== undefined
  const weightFile = cfq ? 'blkio.weight' : 'blkio.bfq.weight'
  const weightDeviceFile = cfq ? 'blkio.weight_device' : 'blkio.bfq.weight_device'
  if (given(b.weight)) w.push(write('blkio', weightFile, b.weight))
  if (given(b.leafWeight)) w.push(write('blkio', 'blkio.leaf_weight', b.leafWeight))
  for (const d of b.weightDevice ?? []) {
    if (given(d.weight)) w.push(write('blkio', weightDeviceFile, `${d.major}:${d.minor} ${d.weight}`))
    if (given(d.leafWeight)) w.push(write('blkio', 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`))
  }
  for (const [field, file] of THROTTLES) {
    for (const d of (b[field] as BlockIODeviceThrottle[] | undefined) ?? []) w.push(write('blkio', file, `${d.major}:${d.minor} ${d.rate ?? 0}`))
  }
  return w
}

export function v2IoWrites(b: BlockIO, read: ReadGroupFile): CgroupWrite[] {
  const w: CgroupWrite[] = []
  const bfq = read('io', 'io.bfq.weight')
  if (given(b.weight)) {
    w.push(bfq !== undefined ? write('io', 'io.bfq.weight', b.weight) : write('io', 'io.weight', blkioWeightToIoWeight(b.weight, 'weight')))
  }
  const bfqPerDevice = bfq !== undefined && !/^\d+$/.test(bfq.trim())
  ;(b.weightDevice ?? []).forEach((d, i) => {
    if (!given(d.weight)) return
    const dev = `${d.major}:${d.minor}`
    w.push(bfqPerDevice ? write('io', 'io.bfq.weight', `${dev} ${d.weight}`) : write('io', 'io.weight', `${dev} ${blkioWeightToIoWeight(d.weight, `weightDevice[${i}].weight`)}`))
  })
  for (const [field, , key] of THROTTLES) {
    for (const d of (b[field] as BlockIODeviceThrottle[] | undefined) ?? []) w.push(write('io', 'io.max', `${d.major}:${d.minor} ${key}=${d.rate ?? 0}`))
  }
  return w
}
