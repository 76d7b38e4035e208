package testutil

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// CrossplaneProvider describes a synthetic provider shaped like an
// Upjet-generated Crossplane provider (upbound provider-aws): every kind is a
// managed resource with the same status (Ready and Synced conditions,
// observedGeneration), in Services API services, each served twice: as a
// cluster-scoped group <service>.aws.upbound.io and as a namespaced
// Crossplane v2 group <service>.aws.m.upbound.io.
type CrossplaneProvider struct {
	Services int // API services; the provider has twice as many groups
	Kinds    int // kinds per flavour, spread over the services like a real provider: a few services own most kinds
	// NewerEvery makes every n-th kind of a cluster-scoped group store
	// v1beta2 while still serving v1beta1 (as Upjet providers do after a
	// schema change); 0 never does.
	NewerEvery int
}

// ProviderAWS is about the size of upbound provider-aws: 2,062 CRDs in 354
// API groups, the two EC2 groups with over 120 kinds each.
var ProviderAWS = CrossplaneProvider{Services: 177, Kinds: 1031, NewerEvery: 16}

// kindWords make up kind names about as long as real ones.
var kindWords = []string{
	"Network", "Interface", "Attachment", "Route", "Table", "Security", "Group", "Rule",
	"Instance", "Volume", "Snapshot", "Policy", "Endpoint", "Gateway", "Association", "Peering",
	"Connection", "Subnet", "Address", "Template", "Launch", "Capacity", "Reservation", "Fleet",
	"Image", "Copy", "Key", "Pair", "Spot", "Transit", "Service", "Configuration",
}

// sizes spreads kinds over services: service i gets a share proportional
// to (i+1)^-0.85 (a few services own most kinds, as in real providers),
// at least one each, summing to Kinds.
func (p CrossplaneProvider) sizes() []int {
	share := func(i int) float64 { return math.Pow(float64(i+1), -0.85) }
	var weight float64
	for i := 0; i < p.Services; i++ {
		weight += share(i)
	}
	out := make([]int, p.Services)
	left := p.Kinds
	for i := range out {
		n := int(float64(p.Kinds)*share(i)/weight + 0.5)
		if n < 1 {
			n = 1
		}
		if rest := p.Services - i - 1; n > left-rest {
			n = left - rest
		}
		if i == p.Services-1 {
			n = left
		}
		out[i] = n
		left -= n
	}
	return out
}

// Groups returns the provider's API groups with their kinds, cluster-scoped
// groups first.
func (p CrossplaneProvider) Groups() map[string][]string {
	out := map[string][]string{}
	for i, n := range p.sizes() {
		svc := service(i)
		var kinds []string
		for j := 0; j < n; j++ {
			kinds = append(kinds, kindName(j))
		}
		out[svc+".aws.upbound.io"] = kinds
		out[svc+".aws.m.upbound.io"] = kinds
	}
	return out
}

func service(i int) string {
	if i == 0 {
		return "ec2"
	}
	return fmt.Sprintf("svc%03d", i)
}

// kindName is a unique CamelCase kind for index j.
func kindName(j int) string {
	n := len(kindWords)
	name := kindWords[j%n] + kindWords[(j/n+3*j+1)%n]
	if j >= n*n/4 {
		name += fmt.Sprint(j)
	}
	return name
}

// Write writes one file per API group into dir and returns the number of CRDs.
func (p CrossplaneProvider) Write(dir string) (int, error) {
	count := 0
	for i, n := range p.sizes() {
		for _, namespaced := range []bool{false, true} {
			group := service(i) + ".aws.upbound.io"
			if namespaced {
				group = service(i) + ".aws.m.upbound.io"
			}
			var docs []string
			for j := 0; j < n; j++ {
				newer := !namespaced && p.NewerEvery > 0 && j%p.NewerEvery == p.NewerEvery-1
				docs = append(docs, managedResourceCRD(group, kindName(j), namespaced, newer))
			}
			if err := os.WriteFile(filepath.Join(dir, group+".yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
				return count, err
			}
			count += n
		}
	}
	return count, nil
}

// managedResourceCRD is a CRD as Upjet writes it, trimmed to the fields
// crdmon reads plus a few spec fields.
func managedResourceCRD(group, kind string, namespaced, newer bool) string {
	plural := strings.ToLower(kind) + "s"
	scope := "Cluster"
	if namespaced {
		scope = "Namespaced"
	}
	versions := version("v1beta1", true)
	if newer {
		versions = version("v1beta1", false) + version("v1beta2", true)
	}
	return fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %[2]s.%[1]s
spec:
  group: %[1]s
  names:
    categories: [crossplane, managed, aws]
    kind: %[3]s
    listKind: %[3]sList
    plural: %[2]s
    singular: %[4]s
  scope: %[5]s
  versions:
%[6]s`, group, plural, kind, strings.ToLower(kind), scope, versions)
}

func version(name string, storage bool) string {
	return fmt.Sprintf(`  - name: %s
    served: true
    storage: %t
    subresources:
      status: {}
    additionalPrinterColumns:
    - {name: SYNCED, type: string, jsonPath: ".status.conditions[?(@.type=='Synced')].status"}
    - {name: READY, type: string, jsonPath: ".status.conditions[?(@.type=='Ready')].status"}
    - {name: EXTERNAL-NAME, type: string, jsonPath: ".metadata.annotations.crossplane\\.io/external-name"}
    - {name: AGE, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [forProvider]
            properties:
              deletionPolicy: {type: string, enum: [Orphan, Delete], default: Delete}
              forProvider:
                type: object
                properties:
                  region: {type: string}
                  tags: {type: object, additionalProperties: {type: string}}
              managementPolicies:
                type: array
                items: {type: string, enum: [Observe, Create, Update, Delete, LateInitialize, "*"]}
              providerConfigRef:
                type: object
                required: [name]
                properties:
                  name: {type: string}
          status:
            type: object
            properties:
              atProvider:
                type: object
                properties:
                  arn: {type: string}
                  id: {type: string}
              conditions:
                description: Conditions of the resource.
                type: array
                x-kubernetes-list-map-keys: [type]
                x-kubernetes-list-type: map
                items:
                  type: object
                  required: [lastTransitionTime, reason, status, type]
                  properties:
                    lastTransitionTime: {type: string, format: date-time}
                    message: {type: string}
                    observedGeneration: {type: integer, format: int64}
                    reason: {type: string}
                    status: {type: string}
                    type: {type: string}
              observedGeneration: {type: integer, format: int64}
`, name, storage)
}
