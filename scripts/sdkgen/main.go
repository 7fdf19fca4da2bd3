// Command pulumi-sdkgen writes the SDKs of a Pulumi package schema with Pulumi's own code
// generators (the Go packages of github.com/pulumi/pulumi/pkg/v3/codegen), for machines where
// `pulumi package gen-sdk` cannot run: it asks each language's plugin (pulumi-language-nodejs,
// -go, -python) to generate, and those plugins are not installable there.
//
// Usage: pulumi-sdkgen SCHEMA.json OUT_DIR LANGUAGE...   (python, nodejs, go)
// Each language's SDK goes to OUT_DIR/LANGUAGE, replacing what was there.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noReferences answers every package lookup with an error: the schema refers to no other
// package (its types are its own, `pulumi.json#/Any` is built in).
type noReferences struct{}

func (noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q, which pulumi-sdkgen cannot load", pkg)
}

func (l noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noReferences) LoadPackageReference(pkg string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(pkg, v)
	return nil, err
}

func (l noReferences) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}

func generate(language string, spec schema.PackageSpec) (map[string][]byte, error) {
	loader := noReferences{}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	const tool = "pulumi-sdkgen"
	switch language {
	case "python":
		return python.GeneratePackage(tool, pkg, nil, loader)
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, loader)
	case "go":
		return gogen.GeneratePackage(tool, pkg, nil)
	}
	return nil, fmt.Errorf("unknown language %q: python, nodejs or go", language)
}

func run(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: pulumi-sdkgen SCHEMA.json OUT_DIR LANGUAGE...")
	}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	for _, language := range args[2:] {
		var spec schema.PackageSpec // bound anew for each language: generators annotate it
		if err := json.Unmarshal(raw, &spec); err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		files, err := generate(language, spec)
		if err != nil {
			return fmt.Errorf("%s SDK: %w", language, err)
		}
		dir := filepath.Join(args[1], language)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		for name, content := range files {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-sdkgen:", err)
		os.Exit(1)
	}
}
