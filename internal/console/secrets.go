package console

import (
	"net/http"

	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
)

// secrets are the Region's secrets, described: ListSecrets does not carry replicas'
// statuses, DescribeSecret does. One page of ListSecrets (its largest, 100) is what one
// screen shows; a Region with more shows its first 100.
func (v *visit) secrets(region string) ([]*secretsmanagerapi.DescribeSecretResponse, error) {
	ctx, as := v.r.Context(), v.in(region)
	list, err := call(ctx, v.c.services, as, "secretsmanager", secretsmanagerapi.OpListSecrets,
		&secretsmanagerapi.ListSecretsRequest{MaxResults: new(int64(100))})
	if err != nil {
		return nil, err
	}
	var out []*secretsmanagerapi.DescribeSecretResponse
	for _, s := range list.SecretList {
		d, err := call(ctx, v.c.services, as, "secretsmanager", secretsmanagerapi.OpDescribeSecret,
			&secretsmanagerapi.DescribeSecretRequest{SecretId: s.ARN})
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

type secretsData struct {
	Secrets []*secretsmanagerapi.DescribeSecretResponse
	Regions []string
}

// secretsPage is "Secrets": each secret with its "Replication status", and the forms
// that replicate it, remove a replica or promote one.
func (c *Console) secretsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showSecrets(w, v, http.StatusOK, nil)
}

func (c *Console) showSecrets(w http.ResponseWriter, v *visit, status int, failed error) {
	secrets, err := v.secrets(v.Region)
	if failed == nil {
		failed = err
	}
	v.render(w, status, "secrets", "Secrets", "secrets", secretsData{Secrets: secrets, Regions: partitionRegions(v.Region)}, failed)
}

// replicateSecret is "Replicate secret to other Regions".
func (c *Console) replicateSecret(w http.ResponseWriter, r *http.Request, v *visit) {
	id, to := r.PostFormValue("secret"), r.PostFormValue("replicaRegion")
	in := &secretsmanagerapi.ReplicateSecretToRegionsRequest{SecretId: &id, AddReplicaRegions: []secretsmanagerapi.ReplicaRegionType{{Region: &to}}}
	if _, err := call(r.Context(), c.services, v.as(), "secretsmanager", secretsmanagerapi.OpReplicateSecretToRegions, in); err != nil {
		c.showSecrets(w, v, http.StatusBadRequest, err)
		return
	}
	v.redirect(w, "secrets", v.Region, "Replication to "+to+" started.")
}

// removeReplica is a replica's "Remove replica".
func (c *Console) removeReplica(w http.ResponseWriter, r *http.Request, v *visit) {
	id, replica := r.PostFormValue("secret"), r.PostFormValue("replicaRegion")
	in := &secretsmanagerapi.RemoveRegionsFromReplicationRequest{SecretId: &id, RemoveReplicaRegions: []string{replica}}
	if _, err := call(r.Context(), c.services, v.as(), "secretsmanager", secretsmanagerapi.OpRemoveRegionsFromReplication, in); err != nil {
		c.showSecrets(w, v, http.StatusBadRequest, err)
		return
	}
	v.redirect(w, "secrets", v.Region, "Replica in "+replica+" removed.")
}

// promoteReplica is "Promote to standalone secret", asked in the replica's Region.
func (c *Console) promoteReplica(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.PostFormValue("secret")
	if _, err := call(r.Context(), c.services, v.as(), "secretsmanager", secretsmanagerapi.OpStopReplicationToReplica,
		&secretsmanagerapi.StopReplicationToReplicaRequest{SecretId: &id}); err != nil {
		c.showSecrets(w, v, http.StatusBadRequest, err)
		return
	}
	v.redirect(w, "secrets", v.Region, "The replica is now a standalone secret.")
}

// replicationView is one secret's "Replication status" table, which refreshes itself
// (htmx) so that statuses move on the page as replication runs or fails.
type replicationView struct {
	Secret       *secretsmanagerapi.DescribeSecretResponse
	CSRF, Region string
}

func replicationOf(s *secretsmanagerapi.DescribeSecretResponse, csrf, region string) replicationView {
	return replicationView{Secret: s, CSRF: csrf, Region: region}
}

// replicationStatus is the refreshed table of one secret.
func (c *Console) replicationStatus(w http.ResponseWriter, r *http.Request, v *visit) {
	id := r.FormValue("secret")
	secret, err := call(r.Context(), c.services, v.as(), "secretsmanager", secretsmanagerapi.OpDescribeSecret,
		&secretsmanagerapi.DescribeSecretRequest{SecretId: &id})
	if err != nil {
		// A secret deleted meanwhile: the next full page says so; the table stays as it is.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	c.write(w, http.StatusOK, "secrets", "replication", replicationOf(secret, v.sess.csrf, v.Region))
}
