package ec2

import (
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/service/port"
)

// zoneCount is how many Availability Zones xregion gives a Region: AWS's count for the
// two Regions most tests use (six in us-east-1, four in us-west-2) and three elsewhere,
// the count AWS guarantees new Regions. AWS maps zone letters to zone ids differently
// per account; xregion maps them in order (a is az1), the same for every account.
func zoneCount(region string) int {
	switch region {
	case "us-east-1":
		return 6
	case "us-west-2":
		return 4
	}
	return 3
}

// zonesOf lists a Region's zones in name order.
func zonesOf(region string) []port.Zone {
	n := zoneCount(region)
	out := make([]port.Zone, n)
	for i := range n {
		out[i] = port.Zone{Name: region + string(rune('a'+i)), ID: zoneIDPrefix(region) + "-az" + strconv.Itoa(i+1)}
	}
	return out
}

// zoneNamed finds a zone of region by name or by id.
func zoneNamed(region, nameOrID string) (port.Zone, bool) {
	for _, z := range zonesOf(region) {
		if z.Name == nameOrID || z.ID == nameOrID {
			return z, true
		}
	}
	return port.Zone{}, false
}

// zoneIDPrefix abbreviates a Region as AWS's zone ids do: "use1" for us-east-1, "apse2"
// for ap-southeast-2, "usgw1" for us-gov-west-1.
func zoneIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i == 0 || i == len(parts)-1:
			b.WriteString(p)
		case p == "gov":
			b.WriteString("g")
		case strings.HasPrefix(p, "iso"):
			b.WriteString("i" + strings.TrimPrefix(p, "iso"))
		default:
			b.WriteString(direction(p))
		}
	}
	return b.String()
}

// direction abbreviates the direction word of a Region name: north n, southeast se.
func direction(word string) string {
	var b strings.Builder
	for _, d := range []string{"north", "south", "east", "west", "central"} {
		if strings.Contains(word, d) {
			b.WriteByte(d[0])
		}
	}
	if b.Len() == 0 {
		return word[:1]
	}
	return b.String()
}
