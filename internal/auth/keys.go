package auth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseKeyList parses static keys written as "AKID:SECRET[:ACCOUNT]" items separated by
// commas or white space (the XREGION_CREDENTIALS form).
func ParseKeyList(s string) ([]Identity, error) {
	var out []Identity
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		parts := strings.Split(item, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("auth: credential %q is not ACCESS_KEY_ID:SECRET_ACCESS_KEY[:ACCOUNT]", redact(item))
		}
		id := Identity{AccessKeyID: parts[0], SecretKey: parts[1]}
		if len(parts) == 3 {
			if !IsAccountID(parts[2]) {
				return nil, fmt.Errorf("auth: account %q of key %s is not a 12-digit account id", parts[2], parts[0])
			}
			id.Account = parts[2]
		}
		out = append(out, id)
	}
	return out, nil
}

func redact(item string) string {
	if k, _, ok := strings.Cut(item, ":"); ok {
		return k + ":…"
	}
	return item
}

// ParseCredentialsFile reads keys from a file in the AWS shared credentials format:
// [profile] sections with aws_access_key_id, aws_secret_access_key and, optionally,
// aws_account_id.
func ParseCredentialsFile(path string) ([]Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	defer f.Close()
	return parseINI(f, path)
}

func parseINI(r io.Reader, name string) ([]Identity, error) {
	var out []Identity
	var cur *Identity
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.AccessKeyID == "" || cur.SecretKey == "" {
			return fmt.Errorf("auth: %s: a profile lacks aws_access_key_id or aws_secret_access_key", name)
		}
		out = append(out, *cur)
		cur = nil
		return nil
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		if strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &Identity{}
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		if !ok || cur == nil {
			return nil, fmt.Errorf("auth: %s:%d: expected [profile] or key = value", name, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "aws_access_key_id":
			cur.AccessKeyID = v
		case "aws_secret_access_key":
			cur.SecretKey = v
		case "aws_account_id":
			if !IsAccountID(v) {
				return nil, fmt.Errorf("auth: %s:%d: aws_account_id %q is not a 12-digit account id", name, line, v)
			}
			cur.Account = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
