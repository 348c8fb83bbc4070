package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
)

// templates holds one parsed set per page: the layout with that page's "content".
type templates map[string]*template.Template

var funcs = template.FuncMap{
	"str":           func(s *string) string { return deref(s) },
	"num":           func(n *int64) int64 { return derefInt(n) },
	"flag":          derefBool,
	"bytes":         func(n *int64) string { return humanBytes(derefInt(n)) },
	"when":          when,
	"q":             url.QueryEscape,
	"regionOf":      func(arn *string) string { return regionOfARN(deref(arn)) },
	"lower":         strings.ToLower,
	"replicationOf": replicationOf,
	"prefix":        func() string { return Prefix },
	"rdsTab":        func(v view, tab string) rdsTab { return rdsTab{Region: v.Region, Tab: tab} },
	"link": func(path, region string) string {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return Prefix + path + sep + "region=" + url.QueryEscape(region)
	},
}

// pages parses the templates on the console's first page, not at start-up: parsing them
// was the largest part of the server's start-up (bench/README.md), and most runs never
// open the console. The console's tests render every page, so a broken template still
// fails a test.
var pages = sync.OnceValue(parseTemplates)

func parseTemplates() templates {
	pages, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	t := templates{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		t[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", p))
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("January 2, 2006, 15:04:05 (UTC)")
}

func rootCaller(account string) request.Caller {
	return request.Caller{ARN: "arn:aws:iam::" + account + ":root", UserID: account}
}

// visit is one request to a page: the session and the Region chosen.
type visit struct {
	c      *Console
	r      *http.Request
	sess   *session
	Region string
}

func (c *Console) newVisit(r *http.Request, sess *session) *visit {
	region := r.FormValue("region")
	if !regions.Valid(region) {
		region = regions.Default
	}
	return &visit{c: c, r: r, sess: sess, Region: region}
}

// as is who the visit acts as, in the Region chosen.
func (v *visit) as() actor { return v.in(v.Region) }

// in is who the visit acts as, in another Region.
func (v *visit) in(region string) actor {
	a := v.sess.who
	a.Region = region
	return a
}

// view is what every page template gets.
type view struct {
	Title    string
	Nav      string
	Region   string
	Regions  []string
	Account  string
	Accounts []string // to switch between, when there are several
	Caller   string
	CSRF     string
	SignOut  bool
	Error    *awserr.Error
	Notice   string
	Data     any
	Fragment bool
}

// Section is the list page of the page's part of the console, where the Region selector
// leads: a resource of one Region is not in another.
func (v view) Section() string {
	return map[string]string{"vaults": "backup/vaults", "plans": "backup/plans", "jobs": "backup/jobs", "rds": "rds", "secrets": "secrets",
		"rds-clusters": "rds/clusters", "rds-global": "rds/global-databases", "efs": "efs"}[v.Nav]
}

// rdsTab is what the RDS pages' shared tab list needs: the Region, and the tab shown.
type rdsTab struct{ Region, Tab string }

// render writes a page, or only its "content" when htmx asks for a fragment. err, when
// not nil, is shown above the content as the service's error (code and message).
func (v *visit) render(w http.ResponseWriter, status int, page, title, nav string, data any, err error) {
	vw := view{Title: title, Nav: nav, Region: v.Region, Regions: regions.All(), Account: v.sess.who.Account, Accounts: v.c.accounts(),
		Caller: v.sess.who.Caller.ARN, CSRF: v.sess.csrf, SignOut: v.c.signInNeeded(), Data: data,
		Notice: v.r.FormValue("notice"), Fragment: v.r.Header.Get("HX-Request") == "true"}
	if err != nil {
		vw.Error = awserr.As(err)
		if status == http.StatusOK {
			status = vw.Error.Status
		}
	}
	entry := "layout"
	if vw.Fragment {
		entry = "content"
	}
	v.c.write(w, status, page, entry, vw)
}

// partitionRegions are the Regions of region's partition, the destinations a copy may have.
func partitionRegions(region string) []string {
	partition, _ := regions.Partition(region)
	return regions.InPartition(partition)
}

// write executes entry (a template) of page's set.
func (c *Console) write(w http.ResponseWriter, status int, page, entry string, data any) {
	t, ok := c.pages()[page]
	if !ok {
		http.Error(w, "no page "+page, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, data); err != nil {
		c.cfg.Logger.Error("console: rendering a page failed", "page", page, "err", err)
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect sends the browser on after a form succeeded (post, redirect, get), keeping
// the Region and saying what happened.
func (v *visit) redirect(w http.ResponseWriter, to, region, notice string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	target := fmt.Sprintf("%s%s%sregion=%s", Prefix, to, sep, url.QueryEscape(region))
	if notice != "" {
		target += "&notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, v.r, target, http.StatusSeeOther)
}
