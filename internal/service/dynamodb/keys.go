package dynamodb

import (
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Key limits: a partition key value of at most 2048 bytes, a sort key of at most 1024.
const (
	maxHashKeyBytes  = 2048
	maxRangeKeyBytes = 1024
)

// keyNames are the names of the table's key attributes.
func (t *tableRecord) keyNames() []string {
	if t.Range == nil {
		return []string{t.Hash.Name}
	}
	return []string{t.Hash.Name, t.Range.Name}
}

// isKey reports whether name is one of the table's key attributes.
func (t *tableRecord) isKey(name string) bool {
	return name == t.Hash.Name || t.Range != nil && name == t.Range.Name
}

// keyOf returns the key attributes of an item.
func (t *tableRecord) keyOf(item attr.Item) attr.Item {
	key := attr.Item{t.Hash.Name: item[t.Hash.Name]}
	if t.Range != nil {
		key[t.Range.Name] = item[t.Range.Name]
	}
	return key
}

// checkKey checks a Key parameter: exactly the table's key attributes, of their types,
// not empty. DynamoDB answers every mismatch with one text.
func (t *tableRecord) checkKey(key attr.Item) error {
	if len(key) != len(t.keyNames()) {
		return msgKeySchema.New()
	}
	for _, k := range []*keyAttr{&t.Hash, t.Range} {
		if k == nil {
			continue
		}
		v, ok := key[k.Name]
		if !ok || attr.Check(v) != nil || attr.TypeOf(v) != k.Type {
			return msgKeySchema.New()
		}
		if err := checkKeyValue(k, v, k == &t.Hash); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyValue refuses empty string and binary keys and keys over the size limits.
func checkKeyValue(k *keyAttr, v attr.Value, hash bool) error {
	switch {
	case v.S != nil && *v.S == "":
		return msgEmptyKey.New(wordString, k.Name)
	case v.B != nil && len(v.B) == 0:
		return msgEmptyKey.New(wordBinary, k.Name)
	case hash && attr.Size(v) > maxHashKeyBytes:
		return msgHashTooLong.New()
	case !hash && attr.Size(v) > maxRangeKeyBytes:
		return msgRangeTooLong.New()
	}
	return nil
}

// checkItem checks an item to be written: its values, its key attributes (present, of
// their types, not empty), its index keys (of their types when present), its size.
func (t *tableRecord) checkItem(item attr.Item, tooLarge func() error) error {
	if err := attr.CheckItem(item); err != nil {
		return err
	}
	for _, k := range []*keyAttr{&t.Hash, t.Range} {
		if k == nil {
			continue
		}
		v, ok := item[k.Name]
		if !ok {
			return msgMissingKey.New(k.Name)
		}
		if got := attr.TypeOf(v); got != k.Type {
			return msgKeyType.New(k.Name, k.Type, got)
		}
		if err := checkKeyValue(k, v, k == &t.Hash); err != nil {
			return err
		}
	}
	if err := t.checkIndexKeys(item); err != nil {
		return err
	}
	if attr.ItemSize(item) > attr.MaxItemSize {
		return tooLarge()
	}
	return nil
}

// checkIndexKeys refuses index key attributes of the wrong type or empty: an item
// without them is simply not in the index.
func (t *tableRecord) checkIndexKeys(item attr.Item) error {
	for _, idx := range t.indexes() {
		for _, k := range []*keyAttr{&idx.Hash, idx.Range} {
			if k == nil || t.isKey(k.Name) {
				continue
			}
			v, ok := item[k.Name]
			if !ok {
				continue
			}
			if got := attr.TypeOf(v); got != k.Type {
				return msgIndexKeyType.New(k.Name, k.Type, got, idx.Name)
			}
			if v.S != nil && *v.S == "" {
				return msgEmptyIndexKey.New(wordString, idx.Name, k.Name)
			}
			if v.B != nil && len(v.B) == 0 {
				return msgEmptyIndexKey.New(wordBinary, idx.Name, k.Name)
			}
		}
	}
	return nil
}
