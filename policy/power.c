/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Node power arithmetic and the shipped GPU power table (see power.h).
 */
#include <ctype.h>
#include <string.h>

#include "policy/error.h"
#include "policy/power.h"

/*
 * Shipped defaults.  max_w is the vendor's maximum TDP / configurable
 * max power; min_cap_w the lowest power limit nvidia-smi accepts
 * (nvidia-smi -q, "Min Power Limit"); idle_w a powered, unloaded GPU.
 *
 * H100 SXM5 80GB: NVIDIA H100 Tensor Core GPU datasheet, "Max thermal
 *   design power (TDP): Up to 700W (configurable)".  Min Power Limit 200 W
 *   as reported by nvidia-smi -q on H100 SXM5 boards.  Idle 75 W is an
 *   ESTIMATE from published nvidia-smi readings of idle DGX H100 GPUs
 *   (60-75 W); rounded up.  NVML names it "NVIDIA H100 80GB HBM3"; the
 *   PCIe (350 W) and NVL (400 W) boards are deliberately not matched.
 * H200 SXM 141GB: NVIDIA H200 product page / datasheet, "Max TDP: Up to
 *   700W (configurable)".  Min cap 200 W and idle 75 W are ESTIMATES
 *   (same SXM5 board power envelope as H100 SXM).  "H200" also matches
 *   the H200 NVL (600 W): that over-counts, the safe side; a site with
 *   NVL boards adds an "H200 NVL" entry, which wins as the longer match.
 * A100 SXM4 80GB: NVIDIA A100 datasheet, "Max TDP Power: 400W".  Min
 *   Power Limit 100 W as reported by nvidia-smi -q on A100-SXM4 boards.
 *   Idle 60 W is an ESTIMATE from published idle readings (50-60 W).
 * B200 (HGX B200): NVIDIA HGX B200 datasheet, "Max TDP: Up to 1,000W"
 *   per GPU (DGX B200: ~14.3 kW per 8-GPU system).  Min cap 200 W and
 *   idle 120 W are ESTIMATES (no published figures at the time of
 *   writing); override them from nvidia-smi -q on the site's boards.
 *   GB200 superchip GPUs (up to 1,200 W) are not matched.
 */
static const pb_gpu_model_t builtin_models[] = {
    {"H100 SXM", "H100 80GB HBM3|H100 SXM", 75, 700, 200},
    {"H200 SXM", "H200", 75, 700, 200},
    {"A100 SXM 80GB", "A100-SXM4-80GB|A100 SXM4 80GB", 60, 400, 100},
    {"B200", "NVIDIA B200|B200 SXM|[B200]", 120, 1000, 200},
};

const pb_gpu_model_t *pb_power_builtin_models(size_t *count)
{
	*count = sizeof(builtin_models) / sizeof(builtin_models[0]);
	return builtin_models;
}

/* Case-insensitive: does needle[0..n) occur in hay? */
static int _contains(const char *hay, const char *needle, size_t n)
{
	if (n == 0)
		return 0;
	for (; *hay; hay++) {
		size_t i;

		for (i = 0; i < n && hay[i]; i++)
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

/* Length of the longest alternative of match found in device, or 0. */
static size_t _best_alternative(const char *match, const char *device)
{
	size_t best = 0;

	while (*match) {
		size_t n = strcspn(match, "|");

		if (n > best && _contains(device, match, n))
			best = n;
		match += n;
		if (*match == '|')
			match++;
	}
	return best;
}

int pb_power_match(const pb_gpu_model_t *models, size_t count,
		   const char *device)
{
	size_t best_len = 0;
	int best = -1;

	if (!device || !*device)
		return -1;
	for (size_t i = 0; i < count; i++) {
		size_t n = _best_alternative(models[i].match, device);

		if (n > best_len) {
			best_len = n;
			best = (int)i;
		}
	}
	return best;
}

int pb_power_check_model(const pb_gpu_model_t *m, pb_error_t *err)
{
	if (!m->name[0] || !memchr(m->name, '\0', sizeof(m->name)))
		return pb_error_set(err,
				    "GPU model: empty or unterminated name");
	if (!memchr(m->match, '\0', sizeof(m->match)))
		return pb_error_set(err, "GPU model %s: unterminated match",
				    m->name);
	if (m->max_w <= 0 || m->idle_w < 0 || m->min_cap_w < m->idle_w ||
	    m->max_w < m->min_cap_w) {
		return pb_error_set(
		    err,
		    "GPU model %s: need 0 <= idle (%lld) <= min cap "
		    "(%lld) <= max (%lld), max > 0",
		    m->name, (long long)m->idle_w, (long long)m->min_cap_w,
		    (long long)m->max_w);
	}
	return 0;
}

pb_watts_t pb_power_off_w(const pb_power_class_t *c)
{
	return c->standby_w;
}

pb_watts_t pb_power_idle_w(const pb_power_class_t *c)
{
	return c->base_w + (pb_watts_t)c->gpus * c->gpu.idle_w +
	       (pb_watts_t)c->cpu_packages * c->cpu_idle_w;
}

pb_watts_t pb_power_gpu_w(const pb_gpu_model_t *m, pb_watts_t hint_w)
{
	if (hint_w <= 0)
		return m->max_w;
	if (hint_w < m->min_cap_w)
		return m->min_cap_w;
	if (hint_w > m->max_w)
		return m->max_w;
	return hint_w;
}

pb_watts_t pb_power_hint_on(const pb_power_class_t *c, pb_watts_t hint_w,
			    pb_hint_scope_t scope)
{
	if (scope == PB_HINT_WHERE_ENFORCED && !c->gpu_limit_enforced)
		return 0;
	return hint_w;
}

static pb_watts_t _div_up(pb_watts_t a, pb_watts_t b)
{
	return (a + b - 1) / b;
}

pb_watts_t pb_power_increment_w(const pb_power_class_t *c, uint32_t gpus,
				uint32_t cores, pb_watts_t hint_w)
{
	pb_watts_t gpu_w = 0, cpu_w = 0;

	if (gpus > c->gpus)
		gpus = c->gpus;
	if (cores > c->cores)
		cores = c->cores;
	if (gpus) {
		pb_watts_t per =
		    pb_power_gpu_w(&c->gpu, hint_w) - c->gpu.idle_w;

		gpu_w = (pb_watts_t)gpus * (per > 0 ? per : 0);
	}
	if (cores && c->cores) {
		pb_watts_t span = (pb_watts_t)c->cpu_packages *
				  (c->cpu_max_w - c->cpu_idle_w);

		/* a core share rounds up: never under-count */
		cpu_w = _div_up((pb_watts_t)cores * span, c->cores);
	}
	return gpu_w + cpu_w;
}

pb_watts_t pb_power_max_w(const pb_power_class_t *c)
{
	return pb_power_idle_w(c) +
	       pb_power_increment_w(c, c->gpus, c->cores, 0);
}

pb_watts_t pb_power_facility_w(pb_watts_t it_w, uint32_t pue_milli)
{
	if (it_w <= 0)
		return it_w;
	return _div_up(it_w * (pb_watts_t)pue_milli, 1000);
}
