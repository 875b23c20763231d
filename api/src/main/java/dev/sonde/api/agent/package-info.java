/**
 * The compiled agent config: what the operator writes (as JSON, in a ConfigMap) and every node agent
 * consumes. Immutable records, normalised on construction, so the same content always gives the same
 * canonical JSON and hash.
 */
package dev.sonde.api.agent;
