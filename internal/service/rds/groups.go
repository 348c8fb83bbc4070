package rds

import (
	"slices"
	"strings"
	"sync"

	"github.com/xregion/xregion/internal/arn"
)

// The default option groups and DB subnet group exist in every account and Region
// without being created, as on AWS; they are derived from the engine table, not stored
// (the default parameter groups come from the parameter catalogue, paramgroups.go).

type optionGroup struct{ Name, Engine, Major string }

// defaultOptionGroups is built on first use: it reads the engine catalogue, which start-up
// does not load (engines.go).
var defaultOptionGroups = sync.OnceValue(func() []optionGroup {
	var ogs []optionGroup
	for _, name := range engineNames() {
		e := engines()[name]
		for _, v := range e.Versions {
			og := optionGroup{defaultOptionGroup(e.Name, v.Major), e.Name, v.Major}
			if !slices.Contains(ogs, og) {
				ogs = append(ogs, og)
			}
		}
	}
	slices.SortFunc(ogs, func(a, b optionGroup) int { return strings.Compare(a.Name, b.Name) })
	return ogs
})

func groupARN(account, region, kind, name string) *string {
	return new(arn.New(partitionOf(region), serviceName, region, account, kind+":"+name))
}
