package kms

import "github.com/xregion/xregion/internal/service/kit"

// keyRef is the payload of every KMS job: one key in one Region.
type keyRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	KeyID   string `json:"keyId"`
}

// Subject implements kit.Subject.
func (r keyRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.KeyID} }

func refOf(k *keyRecord) keyRef { return keyRef{Account: k.Account, Region: k.Region, KeyID: k.ID} }

// importRef is the payload of the job that forgets a wrapping key: one key's import
// parameters.
type importRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	KeyID   string `json:"keyId"`
	Params  string `json:"params"`
}

// Subject implements kit.Subject.
func (r importRef) Subject() (string, string, []string) {
	return r.Account, r.Region, []string{r.KeyID, r.Params}
}

// Job kinds. Jobs of one kind for one key run in order; different kinds are not
// serialised, because the engine would hold a job due now behind one due in a year (a
// rotation) that happened to be enqueued first.
var (
	jobDeleteKey         = kit.Kind[keyRef]{Name: "kms.delete-key"}             // end of a deletion waiting period
	jobRotate            = kit.Kind[keyRef]{Name: "kms.rotate"}                 // automatic rotation, re-armed each period
	jobRotateOnDemand    = kit.Kind[keyRef]{Name: "kms.rotate-on-demand"}       // RotateKeyOnDemand's asynchronous rotation
	jobReplicaReady      = kit.Kind[keyRef]{Name: "kms.replica-ready"}          // a new replica key leaves Creating
	jobUpdateDone        = kit.Kind[keyRef]{Name: "kms.primary-update-done"}    // keys leave Updating after UpdatePrimaryRegion
	jobMaterialExpires   = kit.Kind[keyRef]{Name: "kms.material-expires"}       // imported material reaches its ValidTo
	jobForgetWrappingKey = kit.Kind[importRef]{Name: "kms.forget-wrapping-key"} // an import token expires
)

func (s *Service) registerJobs() {
	jobDeleteKey.Register(s.Kit, kit.Handler[keyRef]{Run: s.runDeleteKey})
	jobRotate.Register(s.Kit, kit.Handler[keyRef]{Run: s.runRotate})
	jobRotateOnDemand.Register(s.Kit, kit.Handler[keyRef]{Run: s.runRotateOnDemand})
	jobReplicaReady.Register(s.Kit, kit.Handler[keyRef]{Run: s.runReplicaReady})
	jobUpdateDone.Register(s.Kit, kit.Handler[keyRef]{Run: s.runUpdateDone})
	jobMaterialExpires.Register(s.Kit, kit.Handler[keyRef]{Run: s.runMaterialExpires})
	jobForgetWrappingKey.Register(s.Kit, kit.Handler[importRef]{Run: s.runForgetWrappingKey})
}
