/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/hwinv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwloc.h>

/* Compute-GPU backends, best first: the order used to pick a model name. */
typedef enum {
	_GPU_NONE = 0,
	_GPU_NVML,
	_GPU_CUDA,
	_GPU_RSMI,
	_GPU_LEVELZERO,
	_GPU_OPENCL,
} _gpu_backend_t;

static const char *_info(hwloc_obj_t o, const char *name)
{
	const char *v = hwloc_obj_get_info_by_name(o, name);

	return v ? v : "";
}

static bool _prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* What an OS device is, as far as this file cares. */
typedef enum {
	_OS_OTHER = 0,
	_OS_GPU_OR_COPROC, /* GPU or co-processor: compute or display */
	_OS_NETWORK,	   /* eth0, ib0 */
	_OS_RDMA,	   /* OpenFabrics: mlx5_0 */
} _os_kind_t;

/*
 * The one place that looks at OS device types: hwloc 3 turns osdev.type
 * into a bitmask of HWLOC_OBJ_OSDEV_* flags, and only this function has to
 * change with it.
 */
static _os_kind_t _osdev_kind(hwloc_obj_t o)
{
	switch (o->attr->osdev.type) {
	case HWLOC_OBJ_OSDEV_GPU:
	case HWLOC_OBJ_OSDEV_COPROC:
		return _OS_GPU_OR_COPROC;
	case HWLOC_OBJ_OSDEV_NETWORK:
		return _OS_NETWORK;
	case HWLOC_OBJ_OSDEV_OPENFABRICS:
		return _OS_RDMA;
	default:
		return _OS_OTHER;
	}
}

/*
 * Which compute-GPU backend an OS device belongs to, if any.  Names and
 * Backend infos are matched as hwloc's own backends write them, so no
 * vendor header is needed.
 */
static _gpu_backend_t _osdev_gpu_backend(hwloc_obj_t o)
{
	const char *backend = _info(o, "Backend");
	const char *sub = o->subtype ? o->subtype : "";

	if (_osdev_kind(o) != _OS_GPU_OR_COPROC)
		return _GPU_NONE;
	if (!strcasecmp(sub, "NVML") || !strcasecmp(backend, "NVML") ||
	    _prefix(o->name, "nvml"))
		return _GPU_NVML;
	if (!strcasecmp(sub, "CUDA") || !strcasecmp(backend, "CUDA") ||
	    _prefix(o->name, "cuda"))
		return _GPU_CUDA;
	if (!strcasecmp(sub, "RSMI") || !strcasecmp(backend, "RSMI") ||
	    _prefix(o->name, "rsmi"))
		return _GPU_RSMI;
	if (!strcasecmp(sub, "LevelZero") ||
	    !strcasecmp(backend, "LevelZero") || _prefix(o->name, "ze"))
		return _GPU_LEVELZERO;
	if (!strcasecmp(sub, "OpenCL") || !strcasecmp(backend, "OpenCL") ||
	    _prefix(o->name, "opencl")) {
		const char *type = _info(o, "OpenCLDeviceType");

		return strcasecmp(type, "CPU") ? _GPU_OPENCL : _GPU_NONE;
	}
	return _GPU_NONE; /* DRM card0/renderD128: display, not compute */
}

static bool _osdev_is_network(hwloc_obj_t o, bool *rdma)
{
	_os_kind_t k = _osdev_kind(o);

	*rdma = k == _OS_RDMA;
	return k == _OS_RDMA || k == _OS_NETWORK;
}

static unsigned _pci_class(hwloc_obj_t o)
{
	return o->type == HWLOC_OBJ_PCI_DEVICE ? o->attr->pcidev.class_id : 0;
}

/* The fallback rule of hwinv.h for exports without compute OS devices. */
static bool _pci_is_gpu(hwloc_obj_t o)
{
	unsigned cls = _pci_class(o), vendor = o->attr->pcidev.vendor_id;

	if (cls == 0x0302)
		return true;
	if (cls == 0x0300 || cls == 0x0380)
		return vendor == 0x10de;
	return false;
}

/* a before b in PCI bus id order; objects without PCI id sort last */
static bool _pci_before(hwloc_obj_t a, hwloc_obj_t b)
{
	const struct hwloc_pcidev_attr_s *x, *y;

	if (a->type != HWLOC_OBJ_PCI_DEVICE)
		return false;
	if (b->type != HWLOC_OBJ_PCI_DEVICE)
		return true;
	x = &a->attr->pcidev;
	y = &b->attr->pcidev;
	if (x->domain != y->domain)
		return x->domain < y->domain;
	if (x->bus != y->bus)
		return x->bus < y->bus;
	if (x->dev != y->dev)
		return x->dev < y->dev;
	return x->func < y->func;
}

static void _busid(hwloc_obj_t pci, char *buf, size_t len)
{
	if (!pci || pci->type != HWLOC_OBJ_PCI_DEVICE) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "%04x:%02x:%02x.%01x", pci->attr->pcidev.domain,
		 pci->attr->pcidev.bus, pci->attr->pcidev.dev,
		 pci->attr->pcidev.func);
}

static void _append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + strlen(s) + 2 > len)
		return;
	if (n)
		strcat(buf, ",");
	strcat(buf, s);
}

/* "0-3,8" from a list of ascending logical indexes */
static void _ranges(const unsigned *v, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len;) {
		size_t j = i;
		int w;

		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		if (j == i)
			w = snprintf(buf + o, len - o, "%s%u", o ? "," : "",
				     v[i]);
		else
			w = snprintf(buf + o, len - o, "%s%u-%u", o ? "," : "",
				     v[i], v[j]);
		if (w < 0 || (size_t)w >= len - o) {
			buf[o] = '\0';
			return;
		}
		o += (size_t)w;
		i = j + 1;
	}
}

static void _locality(hwloc_topology_t t, hwloc_obj_t io, unsigned *numa,
		      size_t *n_numa, char *cores, size_t cores_len)
{
	hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(t, io);
	hwloc_obj_t o = NULL;
	unsigned idx[4096];
	size_t n = 0;

	*n_numa = 0;
	if (!anc)
		return;
	while ((o = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, o)))
		if (anc->nodeset && o->nodeset &&
		    hwloc_bitmap_intersects(anc->nodeset, o->nodeset) &&
		    *n_numa < PB_HW_MAX_LOCAL)
			numa[(*n_numa)++] = o->os_index;
	if (!cores)
		return;
	o = NULL;
	while ((o = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_CORE, o)))
		if (anc->cpuset && o->cpuset &&
		    hwloc_bitmap_intersects(anc->cpuset, o->cpuset) &&
		    n < sizeof(idx) / sizeof(*idx))
			idx[n++] = o->logical_index;
	_ranges(idx, n, cores, cores_len);
}

/* Hops between two objects through their lowest common ancestor; the LCA
 * is returned in *lca.  hwloc_get_common_ancestor_obj() compares depths,
 * which I/O objects do not have, hence this walk. */
static int _hops(hwloc_obj_t a, hwloc_obj_t b, hwloc_obj_t *lca)
{
	int da = 0;

	for (hwloc_obj_t x = a; x; x = x->parent, da++) {
		int db = 0;

		for (hwloc_obj_t y = b; y; y = y->parent, db++)
			if (x == y) {
				*lca = x;
				return da + db;
			}
	}
	*lca = NULL;
	return -1;
}

static bool _is_pci_switch(hwloc_obj_t o)
{
	/* Two devices below one PCI-PCI bridge (root port or switch port)
	 * sit behind a PCIe switch: a port links to a single device. */
	return o && o->type == HWLOC_OBJ_BRIDGE &&
	       o->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_PCI;
}

/*
 * What the steps of _load share: the inventory being filled and, for each
 * GPU and NIC in it, the hwloc object it was merged by (its PCI device,
 * or the OS device itself when it has no PCI parent).
 */
typedef struct {
	hwloc_topology_t t;
	pb_hw_inv_t *inv;
	pb_diag_t *d;
	hwloc_obj_t *gkey, *nkey;
	_gpu_backend_t *gbest; /* the backend that named each GPU's model */
	size_t cap_g, cap_n;
	bool any_net; /* the export has network OS devices */
} _load_t;

/* @p grown to @n elements of @size; NULL (and @p kept) when out of memory */
static void *_grow(void *p, size_t n, size_t size)
{
	return realloc(p, n * size);
}

/* Room for one more GPU in every per-GPU array; -1 when out of memory. */
static int _gpu_room(_load_t *L)
{
	size_t nc = L->cap_g ? L->cap_g * 2 : 8;
	void *k, *g, *b;

	if (L->inv->n_gpus < L->cap_g)
		return 0;
	if (!(k = _grow(L->gkey, nc, sizeof(*L->gkey))))
		return -1;
	L->gkey = k;
	if (!(g = _grow(L->inv->gpus, nc, sizeof(pb_hw_gpu_t))))
		return -1;
	L->inv->gpus = g;
	if (!(b = _grow(L->gbest, nc, sizeof(*L->gbest))))
		return -1;
	L->gbest = b;
	L->cap_g = nc;
	return 0;
}

/* Room for one more NIC; -1 when out of memory. */
static int _nic_room(_load_t *L)
{
	size_t nc = L->cap_n ? L->cap_n * 2 : 8;
	void *k, *n;

	if (L->inv->n_nics < L->cap_n)
		return 0;
	if (!(k = _grow(L->nkey, nc, sizeof(*L->nkey))))
		return -1;
	L->nkey = k;
	if (!(n = _grow(L->inv->nics, nc, sizeof(pb_hw_nic_t))))
		return -1;
	L->inv->nics = n;
	L->cap_n = nc;
	return 0;
}

/* A new GPU merged by @key (an empty record); NULL when out of memory. */
static pb_hw_gpu_t *_gpu_add(_load_t *L, hwloc_obj_t key)
{
	pb_hw_gpu_t *g;

	if (_gpu_room(L))
		return NULL;
	g = &L->inv->gpus[L->inv->n_gpus];
	memset(g, 0, sizeof(*g));
	g->nvml_index = g->cuda_index = -1;
	L->gkey[L->inv->n_gpus] = key;
	L->gbest[L->inv->n_gpus] = _GPU_NONE;
	L->inv->n_gpus++;
	return g;
}

/* What compute OS device @o of backend @b tells about GPU @i. */
static void _gpu_note_osdev(_load_t *L, size_t i, hwloc_obj_t o,
			    _gpu_backend_t b)
{
	pb_hw_gpu_t *g = &L->inv->gpus[i];

	_append(g->osdevs, sizeof(g->osdevs), o->name ? o->name : "?");
	if (b == _GPU_NVML && _prefix(o->name, "nvml"))
		g->nvml_index = atoi(o->name + 4);
	if (b == _GPU_CUDA && _prefix(o->name, "cuda"))
		g->cuda_index = atoi(o->name + 4);
	if (L->gbest[i] == _GPU_NONE || b < L->gbest[i]) {
		const char *m = _info(o, "GPUModel");
		const char *v = _info(o, "GPUVendor");

		if (*m) {
			snprintf(g->model, sizeof(g->model), "%s", m);
			L->gbest[i] = b;
		}
		if (*v)
			snprintf(g->vendor, sizeof(g->vendor), "%s", v);
	}
}

/* GPUs from compute OS devices, merged by PCI device. */
static int _gpus_from_osdevs(_load_t *L)
{
	hwloc_obj_t o = NULL;

	while ((o = hwloc_get_next_osdev(L->t, o))) {
		_gpu_backend_t b = _osdev_gpu_backend(o);
		hwloc_obj_t key;
		size_t i;
		bool rdma;

		if (_osdev_is_network(o, &rdma))
			L->any_net = true;
		if (b == _GPU_NONE)
			continue;
		L->inv->gpu_osdevs++;
		key = (o->parent && o->parent->type == HWLOC_OBJ_PCI_DEVICE)
			  ? o->parent
			  : o;
		for (i = 0; i < L->inv->n_gpus; i++)
			if (L->gkey[i] == key)
				break;
		if (i == L->inv->n_gpus && !_gpu_add(L, key))
			return -1;
		_gpu_note_osdev(L, i, o, b);
	}
	return 0;
}

/* Without PCI parents, one GPU per OS device of the best backend. */
static void _gpus_best_backend(_load_t *L)
{
	pb_hw_inv_t *inv = L->inv;
	_gpu_backend_t top = _GPU_OPENCL;
	size_t w = 0;

	for (size_t i = 0; i < inv->n_gpus; i++)
		if (L->gkey[i]->type == HWLOC_OBJ_OS_DEVICE &&
		    _osdev_gpu_backend(L->gkey[i]) < top)
			top = _osdev_gpu_backend(L->gkey[i]);
	for (size_t i = 0; i < inv->n_gpus; i++) {
		if (L->gkey[i]->type == HWLOC_OBJ_OS_DEVICE &&
		    _osdev_gpu_backend(L->gkey[i]) != top)
			continue;
		inv->gpus[w] = inv->gpus[i];
		L->gkey[w++] = L->gkey[i];
	}
	inv->n_gpus = w;
}

/* The fallback for exports without compute OS devices: PCI classes. */
static int _gpus_from_pci(_load_t *L)
{
	hwloc_obj_t o = NULL;
	pb_hw_gpu_t *g;

	while ((o = hwloc_get_next_pcidev(L->t, o))) {
		if (!_pci_is_gpu(o))
			continue;
		if (!(g = _gpu_add(L, o)))
			return -1;
		g->from_pci_class = true;
	}
	return 0;
}

/*
 * Slurm numbers GPUs by PCI bus id (gres.conf(5), Links=), so the
 * inventory does too: insertion sort, GPUs without PCI id last.
 */
static void _gpus_order(_load_t *L)
{
	pb_hw_inv_t *inv = L->inv;

	for (size_t i = 1; i < inv->n_gpus; i++) {
		for (size_t j = i;
		     j > 0 && _pci_before(L->gkey[j], L->gkey[j - 1]); j--) {
			pb_hw_gpu_t tg = inv->gpus[j];
			hwloc_obj_t tk = L->gkey[j];

			inv->gpus[j] = inv->gpus[j - 1];
			L->gkey[j] = L->gkey[j - 1];
			inv->gpus[j - 1] = tg;
			L->gkey[j - 1] = tk;
		}
	}
}

/* Bus id, vendor, a model name where none was given, and locality. */
static void _gpus_describe(_load_t *L)
{
	for (size_t i = 0; i < L->inv->n_gpus; i++) {
		pb_hw_gpu_t *g = &L->inv->gpus[i];
		hwloc_obj_t k = L->gkey[i];

		if (k->type == HWLOC_OBJ_PCI_DEVICE) {
			_busid(k, g->busid, sizeof(g->busid));
			g->nvidia = k->attr->pcidev.vendor_id == 0x10de;
			if (!g->model[0])
				snprintf(g->model, sizeof(g->model), "%s",
					 *_info(k, "PCIDevice")
					     ? _info(k, "PCIDevice")
					     : "unknown PCI device");
			if (!g->vendor[0])
				snprintf(g->vendor, sizeof(g->vendor), "%s",
					 _info(k, "PCIVendor"));
		}
		if (!g->nvidia && strstr(g->vendor, "NVIDIA"))
			g->nvidia = true;
		if (!g->model[0])
			snprintf(g->model, sizeof(g->model), "unknown");
		_locality(L->t, k, g->numa, &g->n_numa, g->cores,
			  sizeof(g->cores));
	}
}

/* PCI 3D controllers the OS devices did not cover: worth a notice. */
static void _gpus_uncovered(_load_t *L)
{
	hwloc_obj_t o = NULL;

	if (!L->inv->gpu_osdevs)
		return;
	while ((o = hwloc_get_next_pcidev(L->t, o))) {
		bool seen = false;
		char bus[16];

		if (_pci_class(o) != 0x0302)
			continue;
		for (size_t i = 0; i < L->inv->n_gpus; i++)
			seen |= L->gkey[i] == o;
		if (seen)
			continue;
		_busid(o, bus, sizeof(bus));
		pb_diag_add(L->d, PB_DIAG_NOTICE, L->inv->file, 0,
			    "PCI 3D controller %s (%s) has no compute "
			    "OS device (no driver when exported?); not "
			    "counted as a GPU",
			    bus, _info(o, "PCIDevice"));
	}
}

/* The NIC merged by @key, added (with bus id and locality) if new. */
static pb_hw_nic_t *_nic_of(_load_t *L, hwloc_obj_t key)
{
	pb_hw_inv_t *inv = L->inv;
	pb_hw_nic_t *n;
	size_t i;

	for (i = 0; i < inv->n_nics; i++)
		if (L->nkey[i] == key)
			return &inv->nics[i];
	if (_nic_room(L))
		return NULL;
	n = &inv->nics[i];
	memset(n, 0, sizeof(*n));
	L->nkey[i] = key;
	inv->n_nics++;
	_busid(key->type == HWLOC_OBJ_PCI_DEVICE ? key : NULL, n->busid,
	       sizeof(n->busid));
	_locality(L->t, key, n->numa, &n->n_numa, NULL, 0);
	return n;
}

/*
 * NICs, merged by PCI device: from network OS devices where the export
 * has them, else from PCI network controllers.
 */
static int _nics(_load_t *L)
{
	hwloc_obj_t o = NULL;
	bool net = L->any_net;

	while ((o = net ? hwloc_get_next_osdev(L->t, o)
			: hwloc_get_next_pcidev(L->t, o))) {
		hwloc_obj_t key;
		bool rdma = false;
		pb_hw_nic_t *n;

		if (net ? !_osdev_is_network(o, &rdma)
			: (_pci_class(o) >> 8) != 0x02)
			continue;
		key = (net && o->parent &&
		       o->parent->type == HWLOC_OBJ_PCI_DEVICE)
			  ? o->parent
			  : o;
		if (!(n = _nic_of(L, key)))
			return -1;
		if (!net) {
			snprintf(n->name, sizeof(n->name), "%s", n->busid);
		} else if (rdma) {
			n->rdma = true;
			snprintf(n->name, sizeof(n->name), "%s", o->name);
		} else {
			_append(n->netdevs, sizeof(n->netdevs), o->name);
			if (!n->name[0])
				snprintf(n->name, sizeof(n->name), "%s",
					 o->name);
		}
	}
	return 0;
}

/* Each GPU's nearest NICs (RDMA ones only, where there are any). */
static void _nearest_nics(_load_t *L)
{
	pb_hw_inv_t *inv = L->inv;
	bool any_rdma = false;

	for (size_t j = 0; j < inv->n_nics; j++)
		any_rdma |= inv->nics[j].rdma;
	for (size_t i = 0; i < inv->n_gpus; i++) {
		pb_hw_gpu_t *g = &inv->gpus[i];
		int best = -1;

		for (size_t j = 0; j < inv->n_nics; j++) {
			hwloc_obj_t lca;
			int h;

			if (any_rdma && !inv->nics[j].rdma)
				continue;
			h = _hops(L->gkey[i], L->nkey[j], &lca);
			if (h < 0)
				continue;
			if (best < 0 || h < best) {
				best = h;
				g->n_nic = 0;
				g->nic_same_switch = false;
			}
			if (h == best && g->n_nic < PB_HW_MAX_LOCAL) {
				g->nic[g->n_nic++] = j;
				g->nic_same_switch |= _is_pci_switch(lca);
			}
		}
		g->nic_hops = best;
	}
}

/* The GPU (index) each object of @dist is, or -1: by PCI device. */
static void _nvlink_map(_load_t *L, const struct hwloc_distances_s *dist,
			long *map)
{
	for (unsigned a = 0; a < dist->nbobjs; a++) {
		hwloc_obj_t x = dist->objs[a];

		map[a] = -1;
		if (x && x->type == HWLOC_OBJ_OS_DEVICE && x->parent &&
		    x->parent->type == HWLOC_OBJ_PCI_DEVICE)
			x = x->parent;
		for (size_t gi = 0; x && gi < L->inv->n_gpus; gi++)
			if (L->gkey[gi] == x)
				map[a] = (long)gi;
	}
}

/*
 * The thinnest GPU-GPU link's bandwidth (0: none), and whether a GPU
 * links to an NVSwitch.
 */
static uint64_t _nvlink_unit(_load_t *L, const struct hwloc_distances_s *dist,
			     const long *map)
{
	unsigned n = dist->nbobjs;
	uint64_t unit = 0;

	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++) {
			uint64_t v = dist->values[a * n + b];
			hwloc_obj_t y = dist->objs[b];

			if (a == b || !v || map[a] < 0)
				continue;
			if (map[b] >= 0 && (!unit || v < unit))
				unit = v;
			if (map[b] < 0 && y && y->subtype &&
			    !strcmp(y->subtype, "NVSwitch"))
				L->inv->nvswitch = true;
		}
	return unit;
}

/* inv->links: each GPU pair's bandwidth in units of the thinnest link. */
static void _nvlink_matrix(_load_t *L, const struct hwloc_distances_s *dist,
			   const long *map, uint64_t unit)
{
	size_t ng = L->inv->n_gpus;
	unsigned n = dist->nbobjs;

	if (!(L->inv->links = malloc(ng * ng * sizeof(int))))
		return;
	for (size_t k = 0; k < ng * ng; k++)
		L->inv->links[k] = (k % (ng + 1)) ? 0 : -1;
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++) {
			uint64_t v = dist->values[a * n + b];

			if (a == b || map[a] < 0 || map[b] < 0 ||
			    map[a] == map[b])
				continue;
			L->inv->links[map[a] * ng + map[b]] = (int)(v / unit);
		}
}

/* NVLink: hwloc's NVLinkBandwidth matrix, GPUs found by PCI device. */
static int _nvlinks(_load_t *L)
{
	struct hwloc_distances_s *dist = NULL;
	unsigned nr = 1;
	uint64_t unit;
	long *map;

	if (!L->inv->n_gpus ||
	    hwloc_distances_get_by_name(L->t, "NVLinkBandwidth", &nr, &dist,
					0) ||
	    nr != 1)
		return 0;
	if (!(map = calloc(dist->nbobjs, sizeof(long)))) {
		hwloc_distances_release(L->t, dist);
		return -1;
	}
	_nvlink_map(L, dist, map);
	unit = _nvlink_unit(L, dist, map);
	if (unit)
		_nvlink_matrix(L, dist, map, unit);
	free(map);
	hwloc_distances_release(L->t, dist);
	return 0;
}

static int _load(hwloc_topology_t t, pb_hw_inv_t *inv, pb_diag_t *d)
{
	_load_t L = {.t = t, .inv = inv, .d = d};
	int rc = -1;

	inv->packages =
	    (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	inv->cores = (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	inv->pus = (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	inv->numa_nodes =
	    (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	if (_gpus_from_osdevs(&L))
		goto out;
	if (inv->n_gpus)
		_gpus_best_backend(&L);
	else if (_gpus_from_pci(&L))
		goto out;
	_gpus_order(&L);
	_gpus_describe(&L);
	_gpus_uncovered(&L);
	if (_nics(&L))
		goto out;
	_nearest_nics(&L);
	if (_nvlinks(&L))
		goto out;
	rc = 0;
out:
	if (rc)
		pb_diag_add(d, PB_DIAG_ERROR, inv->file, 0, "out of memory");
	free(L.gkey);
	free(L.nkey);
	free(L.gbest);
	return rc;
}

/* Reads the XML into @t; 0 on success. */
static int _hwloc_read(hwloc_topology_t t, const char *path, const char *buf,
		       size_t len)
{
	int rc;

	hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	rc = path ? hwloc_topology_set_xml(t, path)
		  : hwloc_topology_set_xmlbuffer(t, buf, (int)len);
	return rc || hwloc_topology_load(t);
}

/*
 * hwloc 2.9 itself crashes on some malformed exports (a NULL dereference in
 * hwloc_topology_load; hwloc's own lstopo dies on the same files, kept in
 * tests/fuzz/corpus/hwinv). A file an admin points us at must give an
 * error, not take slurmctld down: parse it once in a child first. The child
 * drops any crash handler it inherited (slurmctld's, a sanitizer's) so a
 * crash ends it; it exits 0 whenever hwloc returns. Returns true if the
 * child did not end that way.
 */
static bool _hwloc_crashes(const char *path, const char *buf, size_t len)
{
	static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
					    SIGABRT};
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false; /* cannot tell; the real load decides */
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		hwloc_topology_t t;

		for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(int); i++)
			sigaction(fatal_signals[i], &dfl, NULL);
		if (hwloc_topology_init(&t))
			_exit(0);
		_hwloc_read(t, path, buf, len);
		hwloc_topology_destroy(t);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return false;
	}
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

static int _load_common(const char *file, const char *path, const char *buf,
			size_t len, pb_hw_inv_t **out, pb_diag_t *d)
{
	hwloc_topology_t t;
	pb_hw_inv_t *inv;
	int rc;

	*out = NULL;
	if (_hwloc_crashes(path, buf, len)) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 0,
			    "malformed hwloc XML export: hwloc crashed reading "
			    "it; make a new one with 'lstopo --of xml FILE' on "
			    "a node of the class");
		return -1;
	}
	if (!(inv = calloc(1, sizeof(*inv))) || !(inv->file = strdup(file))) {
		free(inv);
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		return -1;
	}
	if (hwloc_topology_init(&t)) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "hwloc init failed");
		pb_hw_destroy(inv);
		return -1;
	}
	if (_hwloc_read(t, path, buf, len)) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 0,
			    "not a readable hwloc XML export (make one with "
			    "'lstopo --of xml FILE' on a node of the class)");
		hwloc_topology_destroy(t);
		pb_hw_destroy(inv);
		return -1;
	}
	rc = _load(t, inv, d);
	hwloc_topology_destroy(t);
	if (rc) {
		pb_hw_destroy(inv);
		return -1;
	}
	*out = inv;
	return 0;
}

int pb_hw_load_xml(const char *path, pb_hw_inv_t **out, pb_diag_t *d)
{
	FILE *f = fopen(path, "r");

	if (!f) { /* hwloc would fall back silently; say why here */
		pb_diag_add(d, PB_DIAG_ERROR, path, 0, "cannot open: %m");
		*out = NULL;
		return -1;
	}
	fclose(f);
	return _load_common(path, path, NULL, 0, out, d);
}

int pb_hw_load_xml_buffer(const char *file, const char *buf, size_t len,
			  pb_hw_inv_t **out, pb_diag_t *d)
{
	if (len > (size_t)0x7fffffff) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "buffer too large");
		*out = NULL;
		return -1;
	}
	return _load_common(file, NULL, buf, len, out, d);
}

void pb_hw_destroy(pb_hw_inv_t *inv)
{
	if (!inv)
		return;
	free(inv->file);
	free(inv->gpus);
	free(inv->nics);
	free(inv->links);
	free(inv);
}

size_t pb_hw_models(const pb_hw_inv_t *inv, const char **models, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->n_gpus; i++) {
		bool seen = false;

		for (size_t j = 0; j < n; j++)
			seen |= !strcmp(models[j], inv->gpus[i].model);
		if (!seen && n < max)
			models[n++] = inv->gpus[i].model;
	}
	return n;
}
