// A baseline for bench/schematics-vs-go, written for this project: a minimal HTTP server that does the work the
// reference's POST /schematics does per request (read the body, decode it as YAML into typed structs with unknown
// fields refused, refuse an owner, marshal the structs again, hash the bytes, answer 201 with JSON) and nothing else:
// no storage, no logging, no middleware. The structs follow the field list in the project's spec (§3.1).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"gopkg.in/yaml.v3"
)

// Bootloader is a text enum; its zero value is left out of the marshalled form.
type Bootloader int

var bootloaderNames = []string{"none", "dual-boot", "sd-boot", "grub"}

func (b Bootloader) MarshalText() ([]byte, error) { return []byte(bootloaderNames[b]), nil }

func (b *Bootloader) UnmarshalText(text []byte) error {
	for i, name := range bootloaderNames {
		if name == string(text) {
			*b = Bootloader(i)
			return nil
		}
	}
	return fmt.Errorf("unknown bootloader %q", text)
}

type Meta struct {
	Key   uint8  `yaml:"key"`
	Value string `yaml:"value"`
}

type Extensions struct {
	Official []string `yaml:"officialExtensions,omitempty"`
}

type SecureBoot struct {
	EnrollKeys     string `yaml:"enrollKeys,omitempty"`
	WellKnownCerts bool   `yaml:"includeWellKnownCertificates,omitempty"`
}

type DiskImage struct {
	SectorSize uint `yaml:"sectorSize,omitempty"`
}

type Customization struct {
	MachineConfig string     `yaml:"embeddedMachineConfiguration,omitempty"`
	KernelArgs    []string   `yaml:"extraKernelArgs,omitempty"`
	Meta          []Meta     `yaml:"meta,omitempty"`
	Extensions    Extensions `yaml:"systemExtensions,omitempty"`
	Bootloader    Bootloader `yaml:"bootloader,omitempty"`
	SecureBoot    SecureBoot `yaml:"secureboot,omitempty"`
	DiskImage     DiskImage  `yaml:"diskImage,omitempty"`
}

type Overlay struct {
	Image   string         `yaml:"image"`
	Name    string         `yaml:"name"`
	Options map[string]any `yaml:"options,omitempty"`
}

type Schematic struct {
	Owner         string        `yaml:"owner,omitempty"`
	Overlay       Overlay       `yaml:"overlay,omitempty"`
	Customization Customization `yaml:"customization"`
}

type created struct {
	ID        string `json:"id"`
	Schematic string `json:"schematic"`
}

func createSchematic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	decoder := yaml.NewDecoder(bytes.NewReader(body))
	decoder.KnownFields(true)
	var s Schematic
	if err := decoder.Decode(&s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.Owner != "" {
		http.Error(w, "owner field is only supported in Enterprise edition", http.StatusBadRequest)
		return
	}
	canonical, err := yaml.Marshal(&s)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(canonical)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(created{ID: hex.EncodeToString(sum[:]), Schematic: string(canonical)})
}

func main() {
	addr := "127.0.0.1:18096"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	http.HandleFunc("/schematics", createSchematic)
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
