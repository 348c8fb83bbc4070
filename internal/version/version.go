// Package version reports which xregion is running.
package version

import "runtime/debug"

// Version is set at link time (-ldflags "-X github.com/xregion/xregion/internal/version.Version=v1.2.3");
// otherwise it comes from the module's build information.
var Version = ""

// String returns the version, "devel" for a build from a work tree.
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
