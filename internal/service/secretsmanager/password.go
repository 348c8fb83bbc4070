package secretsmanager

import (
	"context"
	"crypto/rand"
	"math/big"
	"strings"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// Character classes of GetRandomPassword, as AWS documents them.
const (
	lowercase   = "abcdefghijklmnopqrstuvwxyz"
	uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

const defaultPasswordLength = 32

// passwordSpec is a GetRandomPassword request with AWS's defaults applied.
type passwordSpec struct {
	length                              int
	exclude                             string
	noLower, noUpper, noDigits, noPunct bool
	space, requireEach                  bool
}

func specOf(in *sm.GetRandomPasswordRequest) passwordSpec {
	b := func(p *bool, def bool) bool {
		if p == nil {
			return def
		}
		return *p
	}
	sp := passwordSpec{
		length: defaultPasswordLength, exclude: deref(in.ExcludeCharacters),
		noLower: b(in.ExcludeLowercase, false), noUpper: b(in.ExcludeUppercase, false),
		noDigits: b(in.ExcludeNumbers, false), noPunct: b(in.ExcludePunctuation, false),
		space: b(in.IncludeSpace, false), requireEach: b(in.RequireEachIncludedType, true),
	}
	if in.PasswordLength != nil {
		sp.length = int(*in.PasswordLength)
	}
	return sp
}

// randomPassword makes a password as GetRandomPassword does: characters drawn uniformly from
// every included class, and, when requireEach is set, at least one of each letter case,
// digit and punctuation class that is included and not emptied by exclude.
func randomPassword(sp passwordSpec) (string, error) {
	drop := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(sp.exclude, r) {
				return -1
			}
			return r
		}, set)
	}
	var required []string
	var all strings.Builder
	for _, c := range []struct {
		set string
		off bool
	}{{lowercase, sp.noLower}, {uppercase, sp.noUpper}, {digits, sp.noDigits}, {punctuation, sp.noPunct}} {
		if c.off {
			continue
		}
		if set := drop(c.set); set != "" {
			required = append(required, set)
			all.WriteString(set)
		}
	}
	if sp.space && !strings.ContainsRune(sp.exclude, ' ') {
		all.WriteByte(' ')
	}
	pool := all.String()
	if pool == "" {
		return "", msgNoCharacters.New()
	}
	if !sp.requireEach {
		required = nil
	}
	if sp.length < len(required) {
		return "", msgPasswordLength.New()
	}
	out := make([]byte, sp.length)
	for i := range out {
		out[i] = pool[randInt(len(pool))]
	}
	// One character of each required class at distinct random positions.
	perm := make([]int, sp.length)
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := randInt(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	for i, set := range required {
		out[perm[i]] = set[randInt(len(set))]
	}
	return string(out), nil
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return int(v.Int64())
}

func (s *Service) GetRandomPassword(_ context.Context, in *sm.GetRandomPasswordRequest) (*sm.GetRandomPasswordResponse, error) {
	pw, err := randomPassword(specOf(in))
	if err != nil {
		return nil, err
	}
	return &sm.GetRandomPasswordResponse{RandomPassword: &pw}, nil
}
