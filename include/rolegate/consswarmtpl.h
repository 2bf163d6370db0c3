#ifndef ROLEGATE_CONSSWARMTPL_H
#define ROLEGATE_CONSSWARMTPL_H

/*
 * Templates in a swarm service's task (red team round 12). swarmkit
 * expands Go templates in ContainerSpec.Hostname, Env and, of each mount,
 * Source, Target, VolumeOptions.Labels and VolumeOptions.DriverConfig.
 * Options, on the node, after rolegate judged the text as written: a
 * driver option "{{printf \"%c\" 47}}etc" is "/etc" to dockerd. Same
 * contract as conscheck.h: 0 passes, -1 denies with k->reason set.
 */

#include <jansson.h>

#include "rolegate/conscheck.h"

/*
 * For every constrained role: Hostname, Env entries, mount sources and
 * volume label values may hold only field actions ("{{.Task.Slot}}",
 * "{{ .Node.Hostname }}": no functions, arguments or variables); mount
 * targets, label names and driver options no template at all. cs is the
 * ContainerSpec (NULL passes).
 */
int rg_consswarmtpl_container_spec(struct rg_conscheck *k, const json_t *cs);

#endif
