/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwinv.h - the hardware inventory of a node class, read from an hwloc XML
 * export (lstopo --of xml, hwloc-gather-topology) without a live machine.
 *
 * GPU rule.  A compute GPU is a PCI device carrying at least one compute OS
 * device: CUDA, NVML, RSMI, LevelZero, or OpenCL of a non-CPU device type.
 * The several OS devices of one GPU (cuda0, nvml0, opencl0d0) are merged by
 * their parent PCI device.  DRM devices (card0, renderD128) alone are display
 * outputs, not compute GPUs: a server's BMC VGA shows up exactly like that.
 * Only when the export has no compute OS device at all are PCI classes used:
 * every 3D controller (0x0302), and display controllers (0x0380) and VGA
 * (0x0300) of NVIDIA only -- AMD/ATI, Matrox and ASPEED VGA parts are the
 * onboard server graphics.  Such GPUs are flagged from_pci_class.
 *
 * NIC rule.  A NIC is a PCI device with OpenFabrics (RDMA) or network OS
 * devices (mlx5_0 and ib0 on one device are one NIC); without any network OS
 * device, PCI class 0x02xx devices are used.  Nearest NICs of a GPU are the
 * RDMA NICs (all NICs if there is none) at the fewest hops in the I/O tree.
 */
#ifndef PB_TOPOLOGY_HWINV_H
#define PB_TOPOLOGY_HWINV_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/diag.h"

#define PB_HW_MAX_LOCAL 16 /* NUMA nodes / nearest NICs kept per GPU */

typedef struct {
	char model[128]; /* GPUModel of its OS devices, or PCI name */
	char vendor[64];
	char busid[16];	 /* "0000:34:00.0", "" if no PCI information */
	char osdevs[96]; /* its OS device names, "cuda0,nvml0,opencl0d0" */
	int nvml_index;	 /* N of nvmlN, else -1 */
	int cuda_index;	 /* N of cudaN, else -1 */
	bool nvidia;
	bool from_pci_class;		/* found by the PCI class fallback */
	unsigned numa[PB_HW_MAX_LOCAL]; /* OS indexes of local NUMA nodes */
	size_t n_numa;
	char cores[128]; /* local cores: logical indexes, "0-7,16" */
	size_t nic[PB_HW_MAX_LOCAL]; /* nearest NICs (index into nics) */
	size_t n_nic;
	int nic_hops; /* I/O-tree hops to them, -1 if none */
	bool
	    nic_same_switch; /* a nearest NIC sits under the same PCIe switch */
} pb_hw_gpu_t;

typedef struct {
	char name[64];	  /* "mlx5_0" (RDMA name first), "eth0", or bus id */
	char netdevs[64]; /* "ib0", "eth0,eth1" */
	char busid[16];
	bool rdma; /* has an OpenFabrics device */
	unsigned numa[PB_HW_MAX_LOCAL];
	size_t n_numa;
} pb_hw_nic_t;

typedef struct {
	char *file;
	unsigned packages, cores, pus, numa_nodes;
	pb_hw_gpu_t *gpus; /* in PCI bus id order, as Slurm numbers GPUs */
	size_t n_gpus;
	pb_hw_nic_t *nics;
	size_t n_nics;
	size_t gpu_osdevs; /* compute OS devices before merging */
	int *links;	   /* n_gpus^2 NVLink counts (-1 on the diagonal,
			    * relative to the thinnest GPU-GPU link), or NULL */
	bool nvswitch;	   /* GPUs reach each other through NVSwitches */
} pb_hw_inv_t;

/*
 * Loads an hwloc XML export (path, or a buffer labelled `file`).  Returns 0,
 * or -1 with "file: message" in d (not a readable hwloc XML).  Notes such as
 * PCI 3D controllers without a compute OS device are notices.
 */
extern int pb_hw_load_xml(const char *path, pb_hw_inv_t **out, pb_diag_t *d);
extern int pb_hw_load_xml_buffer(const char *file, const char *buf, size_t len,
				 pb_hw_inv_t **out, pb_diag_t *d);
extern void pb_hw_destroy(pb_hw_inv_t *inv);

/* Distinct GPU models of the inventory: count, and the i-th model string. */
extern size_t pb_hw_models(const pb_hw_inv_t *inv, const char **models,
			   size_t max);

#endif
