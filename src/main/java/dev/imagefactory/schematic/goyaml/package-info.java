/**
 * A small re-implementation of the parts of go-yaml (go.yaml.in/yaml/v4, v3-compatible API) that decide a
 * schematic's canonical bytes and whether a request body is accepted at all: the reader, scanner and parser
 * ({@link dev.imagefactory.schematic.goyaml.LibyamlParser}, which also decides how far past the first document
 * the input is read), tag resolution, decoding into typed fields, and the block emitter with its quoting rules.
 * No Java YAML library reproduces go-yaml's acceptance and output byte for byte, and schematic IDs are the
 * SHA-256 of those bytes, so this is written by hand; it is checked differentially against go-yaml itself.
 */
package dev.imagefactory.schematic.goyaml;
