/**
 * A small re-implementation of the parts of go-yaml (go.yaml.in/yaml/v4, v3-compatible API) that decide a
 * schematic's canonical bytes: tag resolution, decoding into typed fields, and the block emitter with its
 * quoting rules. No Java YAML library reproduces go-yaml's output byte for byte, and schematic IDs are the
 * SHA-256 of those bytes, so this is written by hand. SnakeYAML only tokenizes and parses the input into events
 * (its parser descends, like go-yaml's, from libyaml's design); everything after the events is ours.
 */
package dev.imagefactory.schematic.goyaml;
