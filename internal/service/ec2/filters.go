package ec2

import (
	"fmt"
	"reflect"
	"strings"
)

// taggedFields is a kind's fields function. The record type names the filters of its own
// fields in `filter` struct tags (several names with commas: `filter:"cidr-block,cidr"`),
// read once here: a string field offers its value when set, a bool field "true" or
// "false", a []string field each of its values. more adds the filters a record computes
// from several fields or from nested ones (nil when there are none). Every name is added
// even for a zero record, so the names of the kind are those fields(new(R)) gives.
func taggedFields[R any](more func(r *R, f fields)) func(*R) fields {
	tagged := filterTags(reflect.TypeFor[R]())
	return func(r *R) fields {
		f := fields{}
		v := reflect.ValueOf(r).Elem()
		for _, t := range tagged {
			t.add(f, v.Field(t.index))
		}
		if more != nil {
			more(r, f)
		}
		return f
	}
}

// filterTag is one field of a record that Describe filters read.
type filterTag struct {
	index int
	names []string
}

func (t filterTag) add(f fields, v reflect.Value) {
	for _, name := range t.names {
		switch v.Kind() {
		case reflect.String:
			f.opt(name, v.String())
		case reflect.Bool:
			f.bool(name, v.Bool())
		default: // []string, checked by filterTags
			f.add(name, v.Interface().([]string)...)
		}
	}
}

// filterTags reads the filter tags of a record type. A tag on a field of another type is
// a mistake in the record, found when the package starts.
func filterTags(t reflect.Type) []filterTag {
	var out []filterTag
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("filter")
		if !ok {
			continue
		}
		if k := sf.Type.Kind(); k != reflect.String && k != reflect.Bool && sf.Type != reflect.TypeFor[[]string]() {
			panic(fmt.Sprintf("ec2: %s.%s has a filter tag but is a %s, not a string, bool or []string", t.Name(), sf.Name, sf.Type))
		}
		out = append(out, filterTag{index: i, names: strings.Split(tag, ",")})
	}
	return out
}

// addCidrLinks adds the filters of a list of CIDR block associations: the blocks under
// blockName ("cidr-block-association.cidr-block"), and the association-id and state
// beside it.
func addCidrLinks(f fields, blockName string, links []cidrLink) {
	prefix := blockName[:strings.LastIndex(blockName, ".")+1]
	f.add(blockName)
	f.add(prefix + "association-id")
	f.add(prefix + "state")
	for _, c := range links {
		f.add(blockName, c.Block)
		f.add(prefix+"association-id", c.AssociationID)
		f.add(prefix+"state", "associated")
	}
}
