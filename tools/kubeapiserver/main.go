// Command kubeapiserver is Kubernetes' own kube-apiserver with an etcd embedded, built from
// the Go module proxy, so that the integration tests can give jdash's Kubernetes export a
// server-side dry run without a cluster (scripts/kube-dryrun.sh builds it into build/).
//
// Usage: kubeapiserver ETCD-DIR [kube-apiserver flags...]
package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kubeapiserver ETCD-DIR [kube-apiserver flags...]")
		os.Exit(2)
	}
	client, err := startEtcd(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd:", err)
		os.Exit(1)
	}
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(append([]string{"--etcd-servers=" + client}, os.Args[2:]...))
	os.Exit(cli.Run(cmd))
}

// startEtcd runs a single-member etcd on a free loopback port, its data in dir.
func startEtcd(dir string) (string, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	client, err := freeURL()
	if err != nil {
		return "", err
	}
	peer, err := freeURL()
	if err != nil {
		return "", err
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return client.String(), nil
	case <-time.After(60 * time.Second):
		e.Close()
		return "", fmt.Errorf("not ready after 60 s")
	}
}

func freeURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return &url.URL{Scheme: "http", Host: l.Addr().String()}, nil
}
