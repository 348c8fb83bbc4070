// Command awsgen generates internal/gen/<service>api from the AWS API models that botocore
// carries (data/<service>/<api version>/service-2.json.gz): a trimmed copy of the model
// (model.json, without documentation or examples) and Go types for its shapes, operations
// and errors.
//
// It is run by `go generate ./internal/gen`, which pins the botocore release; awsgen refuses
// any other release, so the generated code is the same on every machine that has it. It
// finds botocore through -botocore, $XREGION_BOTOCORE_DIR or the python3 on PATH.
//
// botocore ships a few "sdk-extras" files beside some models (rds adds SourceRegion to five
// inputs); they describe parameters the SDKs consume on the client side and never send, so
// awsgen does not merge them: the service must not learn wire members that do not exist.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel/botocore"
)

func main() {
	version := flag.String("botocore-version", "", "botocore release whose models are used (required)")
	dir := flag.String("botocore", "", "botocore package directory (default: $"+botocore.EnvDir+", else python3's)")
	out := flag.String("out", ".", "directory under which <service>api packages are written")
	subsets := subsetFlag{}
	flag.Var(subsets, "subset", "service=file: generate only the operations listed in file, and the shapes they reach")
	flag.Parse()
	if *version == "" || flag.NArg() == 0 {
		log.Fatal("usage: awsgen -botocore-version X.Y.Z [-botocore dir] [-out dir] [-subset svc=file] service...")
	}
	dist, err := botocore.LocateVersion(*dir, *version)
	if err != nil {
		log.Fatal(err)
	}
	for _, svc := range flag.Args() {
		if err := generate(dist, svc, subsets[svc], *out); err != nil {
			log.Fatalf("%s: %v", svc, err)
		}
	}
}

// subsetFlag maps a service to the file that lists the operations to generate for it.
type subsetFlag map[string]string

func (f subsetFlag) String() string { return fmt.Sprint(map[string]string(f)) }

func (f subsetFlag) Set(v string) error {
	svc, file, ok := strings.Cut(v, "=")
	if !ok || svc == "" || file == "" {
		return fmt.Errorf("want service=file, got %q", v)
	}
	f[svc] = file
	return nil
}

func generate(dist botocore.Dist, svc, subsetFile, out string) error {
	src, err := dist.Model(svc)
	if err != nil {
		return err
	}
	m, err := parseModel(src.JSON)
	if err != nil {
		return err
	}
	if got := m.apiVersion(); got != src.APIVersion {
		return fmt.Errorf("%s declares apiVersion %q", src.Path, got)
	}
	origin := fmt.Sprintf("botocore %s %s (API version %s)", dist.Version, src.Path, src.APIVersion)
	var subset *subsetInfo
	if subsetFile != "" {
		if subset, err = m.keepOnly(subsetFile); err != nil {
			return err
		}
	}
	pkg := svc + "api"
	dir := filepath.Join(out, pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	doc, err := m.document(origin)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "model.json"), doc, 0o644); err != nil {
		return err
	}
	code, err := m.goSource(pkg, origin, subset)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "api.go"), code, 0o644)
}
