package ec2

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
)

// check refuses a decoded input that breaks its model the way EC2 refuses it: the first
// absent required parameter is MissingParameter, the first value outside an enum or a
// range is InvalidParameterValue. Messages name parameters as the request spells them
// ("VolumeType", "Filter.1.Name"): AWS's own texts mix spellings, and the one the caller
// sent is the one a careful user can find. EC2's models carry no length or pattern
// constraints, so those are not checked.
func check(s *awsmodel.Shape, v reflect.Value, path string) *awserr.Error {
	for _, m := range s.Members {
		p := join(path, m.EC2QueryName())
		f := v.Field(m.Field)
		if awsmodel.IsAbsent(f) {
			if m.Required {
				return awserr.MissingParameter.New("The request must contain the parameter %s", p)
			}
			continue
		}
		if err := checkValue(m.Shape, f, p); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(s *awsmodel.Shape, f reflect.Value, path string) *awserr.Error {
	v, ok := awsmodel.Indirect(f)
	if !ok {
		return nil
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		if s.GoType != nil {
			return check(s, v, path)
		}
	case awsmodel.TypeList:
		for i := 0; i < v.Len(); i++ {
			if err := checkValue(s.Member.Shape, v.Index(i), join(path, strconv.Itoa(i+1))); err != nil {
				return err
			}
		}
	case awsmodel.TypeString:
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, v.String()) {
			return awserr.InvalidParameterValue.New("Value (%s) for parameter %s is invalid. Valid values are: %s.",
				v.String(), path, strings.Join(s.Enum, ", "))
		}
	case awsmodel.TypeInteger, awsmodel.TypeLong:
		return checkRange(s, float64(v.Int()), strconv.FormatInt(v.Int(), 10), path)
	case awsmodel.TypeDouble, awsmodel.TypeFloat:
		return checkRange(s, v.Float(), strconv.FormatFloat(v.Float(), 'f', -1, 64), path)
	}
	return nil
}

func checkRange(s *awsmodel.Shape, n float64, shown, path string) *awserr.Error {
	low, high := s.Min != nil && n < *s.Min, s.Max != nil && n > *s.Max
	if !low && !high {
		return nil
	}
	var want string
	switch {
	case s.Min != nil && s.Max != nil:
		want = "between " + num(*s.Min) + " and " + num(*s.Max)
	case low:
		want = "greater than or equal to " + num(*s.Min)
	default:
		want = "less than or equal to " + num(*s.Max)
	}
	return awserr.InvalidParameterValue.New("Value (%s) for parameter %s is invalid. Expecting a value %s.", shown, path, want)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
