package testcluster

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// Authorizer decides the requests of users other than the privileged
// loopback user, as an authorization webhook would.
type Authorizer func(authorizationv1.SubjectAccessReviewSpec) bool

// clientCA issues client certificates the server accepts.
type clientCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// StartWithAuthorizer starts a server like Start that also accepts the
// client certificates UserConfig issues and asks authorize, through a
// loopback SubjectAccessReview webhook, about every request of those users.
// The privileged Config is always allowed.
func StartWithAuthorizer(t testing.TB, authorize Authorizer, serverFlags ...string) *Cluster {
	t.Helper()
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := certutil.NewSelfSignedCACert(certutil.Config{CommonName: "testcluster-client-ca"}, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sar authorizationv1.SubjectAccessReview
		if err := json.NewDecoder(r.Body).Decode(&sar); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sar.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: authorize(sar.Spec)}
		if !sar.Status.Allowed {
			sar.Status.Denied = true
			sar.Status.Reason = "denied by the testcluster Authorizer"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sar)
	}))
	t.Cleanup(webhook.Close)
	kc := clientcmdapi.NewConfig()
	kc.Clusters["webhook"] = &clientcmdapi.Cluster{Server: webhook.URL}
	kc.AuthInfos["webhook"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["webhook"] = &clientcmdapi.Context{Cluster: "webhook", AuthInfo: "webhook"}
	kc.CurrentContext = "webhook"
	authzFile := WriteKubeconfig(t, kc)

	c := Start(t, append([]string{
		"--client-ca-file", caFile,
		"--authorization-kubeconfig", authzFile, // overrides the fixtures' unreachable one
	}, serverFlags...)...)
	c.clientCA = &clientCA{cert: caCert, key: key}
	return c
}

// UserConfig returns a client configuration that authenticates as user in
// groups with a client certificate. Only clusters from StartWithAuthorizer
// accept it.
func (c *Cluster) UserConfig(t testing.TB, user string, groups ...string) *rest.Config {
	t.Helper()
	if c.clientCA == nil {
		t.Fatal("UserConfig needs a cluster from StartWithAuthorizer")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: user, Organization: groups},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.clientCA.cert, key.Public(), c.clientCA.key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return &rest.Config{
		Host: c.Config.Host,
		TLSClientConfig: rest.TLSClientConfig{
			ServerName: c.Config.TLSClientConfig.ServerName,
			CAData:     c.Config.TLSClientConfig.CAData,
			CertData:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			KeyData:    keyPEM,
		},
	}
}
