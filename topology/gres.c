/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/gres.h"

#include <string.h>

static void _numa(const unsigned *v, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 12 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "",
				      v[i]);
	if (!n)
		snprintf(buf, len, "-");
}

int pb_gres_print_affinity(const pb_hw_inv_t *inv, FILE *out)
{
	fprintf(out,
		"# %s: %u packages, %u cores, %u PUs, %u NUMA nodes, "
		"%zu GPUs (%zu compute OS devices), %zu NICs\n",
		inv->file, inv->packages, inv->cores, inv->pus, inv->numa_nodes,
		inv->n_gpus, inv->gpu_osdevs, inv->n_nics);
	fprintf(out, "%-4s %-13s %-30s %-22s %-6s %-10s %-16s %s\n", "GPU",
		"PCI", "Model", "OS devices", "NUMA", "Cores", "Nearest NIC",
		"Same PCIe switch");
	for (size_t i = 0; i < inv->n_gpus; i++) {
		const pb_hw_gpu_t *g = &inv->gpus[i];
		char numa[64], nics[128] = "";

		_numa(g->numa, g->n_numa, numa, sizeof(numa));
		for (size_t j = 0; j < g->n_nic; j++) {
			size_t o = strlen(nics);

			snprintf(nics + o, sizeof(nics) - o, "%s%s",
				 j ? "," : "", inv->nics[g->nic[j]].name);
		}
		if (!g->n_nic)
			snprintf(nics, sizeof(nics), "-");
		fprintf(out,
			"%-4zu %-13s %-30.30s %-22.22s %-6s %-10s %-16s %s\n",
			i, g->busid[0] ? g->busid : "-", g->model,
			g->osdevs[0] ? g->osdevs : "(PCI class)", numa,
			g->cores[0] ? g->cores : "-", nics,
			!g->n_nic	     ? "-"
			: g->nic_same_switch ? "yes"
					     : "no");
	}
	for (size_t j = 0; j < inv->n_nics; j++) {
		const pb_hw_nic_t *n = &inv->nics[j];
		char numa[64];

		_numa(n->numa, n->n_numa, numa, sizeof(numa));
		fprintf(out, "NIC %-3zu %-13s %-12s %-6s NUMA %s%s%s\n", j,
			n->busid[0] ? n->busid : "-", n->name,
			n->rdma ? "RDMA" : "net", numa,
			n->netdevs[0] ? "  netdev " : "", n->netdevs);
	}
	if (!inv->n_nics)
		fprintf(out, "# no network device in this export: NIC "
			     "locality cannot be derived\n");
	return ferror(out) ? -1 : 0;
}

int pb_gres_print_conf(const pb_hw_inv_t *inv, const char *nodes,
		       const char *type, FILE *out)
{
	bool all_nvml = true, any_nvidia = false;
	size_t ng = inv->n_gpus, nvidia_pos = 0;

	for (size_t i = 0; i < ng; i++) {
		all_nvml &= inv->gpus[i].nvml_index >= 0;
		any_nvidia |= inv->gpus[i].nvidia;
	}
	fprintf(out, "# gres.conf for %s\n", inv->file);
	if (!ng) {
		fprintf(out, "# no compute GPU in this export: no Name=gpu "
			     "line\n");
		return ferror(out) ? -1 : 0;
	}
	if (any_nvidia)
		fprintf(out,
			"# File=/dev/nvidiaN uses the %s index; the device "
			"minor can differ (check 'nvidia-smi -q | grep "
			"Minor')\n",
			all_nvml ? "NVML" : "CUDA or PCI-order");
	if (!inv->links && inv->nvswitch)
		fprintf(out, "# GPUs talk through NVSwitches (all pairs "
			     "equal): Links= omitted\n");
	else if (!inv->links)
		fprintf(out, "# no NVLink information in the export: Links= "
			     "omitted\n");
	else
		fprintf(out, "# Links= counts NVLinks relative to the thinnest "
			     "GPU-GPU link in hwloc's NVLinkBandwidth\n");
	fprintf(out, "# Cores= are the GPU's local cores (hwloc logical "
		     "indexes, as slurmd numbers them)\n");
	for (size_t i = 0; i < ng; i++) {
		const pb_hw_gpu_t *g = &inv->gpus[i];
		int minor;

		if (!g->nvidia) {
			fprintf(out,
				"# GPU %zu (%s, %s): not an NVIDIA device, "
				"File= cannot be derived from the export "
				"(use its /dev/dri/renderD* node)\n",
				i, g->busid[0] ? g->busid : "no PCI id",
				g->model);
			continue;
		}
		minor = g->nvml_index >= 0   ? g->nvml_index
			: g->cuda_index >= 0 ? g->cuda_index
					     : (int)nvidia_pos;
		nvidia_pos++;
		fprintf(out, "NodeName=%s Name=gpu", nodes ? nodes : "<nodes>");
		if (type && *type)
			fprintf(out, " Type=%s", type);
		fprintf(out, " File=/dev/nvidia%d", minor);
		if (g->cores[0])
			fprintf(out, " Cores=%s", g->cores);
		if (inv->links) {
			fprintf(out, " Links=");
			for (size_t j = 0; j < ng; j++)
				fprintf(out, "%s%d", j ? "," : "",
					inv->links[i * ng + j]);
		}
		fprintf(out, "\n");
	}
	return ferror(out) ? -1 : 0;
}
