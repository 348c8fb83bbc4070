package rds

import (
	"maps"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Parameter groups: DB parameter groups (of DB instances) and DB cluster parameter
// groups (of DB clusters) share one record type and one set of rules, told apart by a
// paramGroupKind. The default.<family> groups exist in every Region without being
// created and hold the engine defaults; a group a user creates is stored with the values
// the user set, every other parameter keeping its engine default.

const (
	applyImmediate    = "immediate"
	applyPendingBoot  = "pending-reboot"
	applyStatic       = "static"
	sourceUser        = "user"
	sourceSystem      = "system"
	sourceEngine      = "engine-default"
	paramApplying     = "applying"
	paramPendingBoot  = "pending-reboot"
	maxParamsPerCall  = 20 // ModifyDBParameterGroup takes at most 20 parameters a call (API reference)
	quotaParamGroups  = 50 // parameter groups of each kind per Region (RDS User Guide, "Quotas in Amazon RDS")
	maxParamGroupName = 255
)

// paramGroupRec is a parameter group a user created.
type paramGroupRec struct {
	Name        string                  `json:"name"` // lower case, as RDS keeps it
	Family      string                  `json:"family"`
	Description string                  `json:"description"`
	Params      map[string]paramSetting `json:"params,omitempty"` // the values the user set, by parameter name
	Tags        []tagRec                `json:"tags,omitempty"`
	Default     bool                    `json:"-"` // a default.<family> group, never stored
}

// paramSetting is a value a user set and how it was asked to apply.
type paramSetting struct {
	Value  string `json:"value"`
	Method string `json:"method"`
}

// paramGroupKind is what differs between DB and DB cluster parameter groups.
type paramGroupKind struct {
	table       kit.Table[paramGroupRec]
	cluster     bool
	arnKind     string // the resource type of the group's ARN
	counter     string
	notFound    awserr.Message
	defaultText text
	// users lists the resources that use a group, and changed tells them that some of its
	// parameters changed. DB parameter groups are used by DB instances; DB clusters add
	// theirs for DB cluster parameter groups (nil until then).
	users   func(v kit.View, name string) ([]*instanceRec, error)
	changed func(s *Service, tx kit.Tx, v kit.View, name string, ch paramChange) error
	// inUse reports whether a DB cluster uses a DB cluster parameter group (clusters.go).
	inUse func(v kit.View, name string) (bool, error)
}

// paramChange is how a change to a group's parameters applies: some now, some at the
// next reboot.
type paramChange struct{ immediate, reboot bool }

var (
	dbParamGroups      = kit.Table[paramGroupRec]{Kind: "pg"}  // pg/<name>
	clusterParamGroups = kit.Table[paramGroupRec]{Kind: "cpg"} // cpg/<name>

	dbParams = paramGroupKind{
		table: dbParamGroups, arnKind: "pg", counter: "parameter-groups", notFound: msgParamGroupNotFound,
		defaultText: textDefaultParamGroup, users: instancesUsingParamGroup, changed: (*Service).paramGroupChanged,
	}
	clusterParams = paramGroupKind{
		table: clusterParamGroups, cluster: true, arnKind: "cluster-pg", counter: "cluster-parameter-groups",
		notFound: msgClusterParamGroupNotFound, defaultText: textDefaultClusterParamGroup, inUse: clusterParamGroupInUse,
	}
)

// family finds a family of the kind: cluster parameter groups exist only for the
// families with cluster parameters.
func (k paramGroupKind) family(name string) (*paramFamily, bool) {
	f, ok := paramFamilies()[name]
	if !ok || len(f.defs(k.cluster)) == 0 {
		return nil, false
	}
	return f, true
}

// defaultGroup is the default group of a name, if it is one.
func (k paramGroupKind) defaultGroup(name string) (*paramGroupRec, bool) {
	fam, ok := strings.CutPrefix(name, "default.")
	if !ok {
		return nil, false
	}
	if _, ok := k.family(fam); !ok {
		return nil, false
	}
	return &paramGroupRec{Name: name, Family: fam, Description: k.defaultText.with(fam), Default: true}, true
}

// find returns the group a request names, by name or ARN, or the kind's NotFound fault.
func (k paramGroupKind) find(v kit.View, name string) (*paramGroupRec, error) {
	id := strings.ToLower(name)
	if a, err := arn.Parse(name); err == nil {
		kind, rest, _ := strings.Cut(a.Resource, ":")
		if a.Service != serviceName || a.Account != v.Account() || a.Region != v.Region() || kind != k.arnKind {
			return nil, k.notFound.New(name)
		}
		id = strings.ToLower(rest)
	}
	if g, ok := k.defaultGroup(id); ok {
		return g, nil
	}
	g, err := k.table.Get(v, id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, k.notFound.New(name)
	}
	return g, nil
}

// list returns the default groups and the stored ones, sorted by name.
func (k paramGroupKind) list(v kit.View) ([]*paramGroupRec, error) {
	var out []*paramGroupRec
	for _, fam := range paramFamilyNames() {
		if g, ok := k.defaultGroup("default." + fam); ok {
			out = append(out, g)
		}
	}
	stored, err := k.table.List(v)
	if err != nil {
		return nil, err
	}
	out = append(out, stored...)
	slices.SortFunc(out, func(a, b *paramGroupRec) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// checkNewName checks the name of a group to create; it returns it in lower case.
func (k paramGroupKind) checkNewName(v kit.View, param, name string) (string, error) {
	if !validIdentifier(name, maxParamGroupName) {
		return "", msgInvalidIdentifier.New(param)
	}
	id := strings.ToLower(name)
	if k.table.Has(v, id) {
		return "", msgParamGroupExists.New(id)
	}
	return id, nil
}

// insert stores a new group, within the kind's quota.
func (k paramGroupKind) insert(v kit.View, g *paramGroupRec) error {
	n, err := getCount(v, k.counter)
	if err != nil {
		return err
	}
	if n >= quotaParamGroups {
		return msgParamGroupQuota.New(quotaParamGroups)
	}
	if err := addCount(v, k.counter, 1); err != nil {
		return err
	}
	return k.table.Put(v, g, g.Name)
}

func (k paramGroupKind) create(v kit.View, name, family, description string, tags []tagRec) (*paramGroupRec, error) {
	id, err := k.checkNewName(v, paramParamGroupName(k), name)
	if err != nil {
		return nil, err
	}
	if _, ok := k.family(family); !ok {
		return nil, msgParamGroupBadFamily.New(family)
	}
	g := &paramGroupRec{Name: id, Family: family, Description: description, Tags: tags}
	return g, k.insert(v, g)
}

// copyGroup copies a group's family and values to a new group (CopyDBParameterGroup).
func (k paramGroupKind) copyGroup(v kit.View, source, target, description string, tags []tagRec) (*paramGroupRec, error) {
	src, err := k.find(v, source)
	if err != nil {
		return nil, err
	}
	id, err := k.checkNewName(v, paramTargetParamGroup(k), target)
	if err != nil {
		return nil, err
	}
	g := &paramGroupRec{Name: id, Family: src.Family, Description: description, Params: maps.Clone(src.Params), Tags: tags}
	return g, k.insert(v, g)
}

func (k paramGroupKind) delete(v kit.View, name string) error {
	g, err := k.find(v, name)
	if err != nil {
		return err
	}
	if g.Default {
		return msgDeleteDefaultParamGroup.New(g.Name)
	}
	if k.users != nil {
		users, err := k.users(v, g.Name)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return msgParamGroupInUse.New(g.Name)
		}
	}
	if k.inUse != nil {
		if used, err := k.inUse(v, g.Name); err != nil || used {
			return firstErr(err, msgClusterParamGroupInUse.New(g.Name))
		}
	}
	if err := addCount(v, k.counter, -1); err != nil {
		return err
	}
	return k.table.Delete(v, g.Name)
}

// modify sets parameters of a group, after checking every one of them: nothing is
// written when one is refused.
func (k paramGroupKind) modify(s *Service, tx kit.Tx, v kit.View, name string, params []rdsapi.Parameter) error {
	if len(params) == 0 {
		return msgBlank.New(paramParameters)
	}
	if len(params) > maxParamsPerCall {
		return msgTooManyParams.New(maxParamsPerCall)
	}
	g, err := k.writable(v, name)
	if err != nil {
		return err
	}
	fam := paramFamilies()[g.Family]
	var ch paramChange
	set := maps.Clone(g.Params)
	if set == nil {
		set = map[string]paramSetting{}
	}
	for _, p := range params {
		method, err := checkParamChange(fam, k.cluster, p)
		if err != nil {
			return err
		}
		set[*p.ParameterName] = paramSetting{Value: *p.ParameterValue, Method: method}
		ch.note(method)
	}
	g.Params = set
	return k.save(s, tx, v, g, ch)
}

// reset returns parameters of a group, or all of them, to their engine defaults. A
// static parameter always waits for a reboot.
func (k paramGroupKind) reset(s *Service, tx kit.Tx, v kit.View, name string, all bool, params []rdsapi.Parameter) error {
	if all == (len(params) > 0) {
		return msgResetWhich.New()
	}
	g, err := k.writable(v, name)
	if err != nil {
		return err
	}
	fam := paramFamilies()[g.Family]
	names := slices.Collect(maps.Keys(g.Params))
	if !all {
		names = names[:0]
		for _, p := range params {
			if _, ok := fam.def(k.cluster, deref(p.ParameterName)); !ok {
				return msgParamUnknown.New(deref(p.ParameterName))
			}
			names = append(names, *p.ParameterName)
		}
	}
	var ch paramChange
	set := maps.Clone(g.Params)
	for _, n := range names {
		if _, ok := set[n]; !ok {
			continue
		}
		d, _ := fam.def(k.cluster, n)
		method := applyImmediate
		if d.Apply == applyStatic {
			method = applyPendingBoot
		}
		ch.note(method)
		delete(set, n)
	}
	g.Params = set
	return k.save(s, tx, v, g, ch)
}

// writable finds a group that can be changed: not a default one.
func (k paramGroupKind) writable(v kit.View, name string) (*paramGroupRec, error) {
	g, err := k.find(v, name)
	if err != nil {
		return nil, err
	}
	if g.Default {
		return nil, msgModifyDefaultParamGroup.New()
	}
	return g, nil
}

func (k paramGroupKind) save(s *Service, tx kit.Tx, v kit.View, g *paramGroupRec, ch paramChange) error {
	if err := k.table.Put(v, g, g.Name); err != nil {
		return err
	}
	if k.changed == nil || ch == (paramChange{}) {
		return nil
	}
	return k.changed(s, tx, v, g.Name, ch)
}

func (c *paramChange) note(method string) {
	if method == applyImmediate {
		c.immediate = true
	} else {
		c.reboot = true
	}
}

// checkParamChange checks one parameter of a ModifyDBParameterGroup request, in AWS's
// order: the name, whether it may be modified, the apply method, the value. It returns
// the apply method.
func checkParamChange(fam *paramFamily, cluster bool, p rdsapi.Parameter) (string, error) {
	name := deref(p.ParameterName)
	if name == "" {
		return "", msgBlank.New(paramParameterName)
	}
	d, ok := fam.def(cluster, name)
	if !ok {
		return "", msgParamUnknown.New(name)
	}
	if !d.Modifiable {
		return "", msgParamNotModifiable.New(name)
	}
	if p.ParameterValue == nil {
		return "", msgBlank.New(paramParameterValue)
	}
	method := deref(p.ApplyMethod)
	switch method {
	case "":
		return "", msgBlank.New(paramApplyMethod)
	case applyImmediate:
		if d.Apply == applyStatic {
			return "", msgStaticImmediate.New()
		}
	}
	return method, d.checkValue(*p.ParameterValue)
}

// parameters are a group's parameters with its values over the engine defaults, those
// of one source only when source is not empty.
func (k paramGroupKind) parameters(g *paramGroupRec, source string) []rdsapi.Parameter {
	fam := paramFamilies()[g.Family]
	var out []rdsapi.Parameter
	for _, d := range fam.defs(k.cluster) {
		p := paramOut(d)
		if set, ok := g.Params[d.Name]; ok {
			p.ParameterValue, p.Source, p.ApplyMethod = new(set.Value), new(sourceUser), new(set.Method)
		}
		if source == "" || *p.Source == source {
			out = append(out, p)
		}
	}
	return out
}

// paramOut is an engine default as RDS answers it; defaults apply at the next reboot.
func paramOut(d paramDef) rdsapi.Parameter {
	p := rdsapi.Parameter{
		ParameterName: new(d.Name), Description: new(d.Description), Source: new(d.Source), ApplyType: new(d.Apply),
		DataType: new(d.Type), IsModifiable: new(d.Modifiable), ApplyMethod: new(applyPendingBoot),
	}
	if d.Value != "" {
		p.ParameterValue = new(d.Value)
	}
	if d.Allowed != "" {
		p.AllowedValues = new(d.Allowed)
	}
	return p
}

func paramParamGroupName(k paramGroupKind) string {
	if k.cluster {
		return "DBClusterParameterGroupName"
	}
	return "DBParameterGroupName"
}

func paramTargetParamGroup(k paramGroupKind) string {
	if k.cluster {
		return "TargetDBClusterParameterGroupIdentifier"
	}
	return "TargetDBParameterGroupIdentifier"
}

// instancesUsingParamGroup lists the DB instances of a Region that use a DB parameter
// group, deleted ones aside.
func instancesUsingParamGroup(v kit.View, name string) ([]*instanceRec, error) {
	var out []*instanceRec
	err := instances.Scan(v, func(inst *instanceRec) bool {
		if inst.ParamGroup == name {
			out = append(out, inst)
		}
		return true
	})
	return out, err
}

// paramGroupChanged moves the ParameterApplyStatus of the instances that use a DB
// parameter group: immediate changes are applying until a job applies them, changes
// that wait for a reboot leave the instance pending-reboot until RebootDBInstance.
func (s *Service) paramGroupChanged(tx kit.Tx, v kit.View, name string, ch paramChange) error {
	users, err := instancesUsingParamGroup(v, name)
	if err != nil {
		return err
	}
	for _, inst := range users {
		if ch.reboot {
			inst.ParamRebootPending = true
			inst.ParamGroupStatus = paramPendingBoot
		}
		if ch.immediate {
			inst.ParamGroupStatus = paramApplying
			if _, err := jobParamApply.Enqueue(tx, s.After(), refIn(v, inst.ResourceID)); err != nil {
				return err
			}
		}
		if err := putInstance(v, inst); err != nil {
			return err
		}
	}
	return nil
}

// runParamApply ends the application of immediate parameter changes to an instance.
func (s *Service) runParamApply(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	inst, err := instanceByResourceID(v, p.ID)
	if err != nil || inst == nil || inst.ParamGroupStatus != paramApplying {
		return err
	}
	inst.ParamGroupStatus = parameterGroupSync
	if inst.ParamRebootPending {
		inst.ParamGroupStatus = paramPendingBoot
	}
	return putInstance(v, inst)
}

// checkParamGroup checks the DB parameter group an instance of a family names, and
// returns its name as RDS keeps it.
func checkParamGroup(v kit.View, family, name string) (string, error) {
	g, err := dbParams.find(v, name)
	if err != nil {
		return "", err
	}
	if g.Family != family {
		return "", msgParamGroupFamily.New(g.Name, g.Family, family)
	}
	return g.Name, nil
}
