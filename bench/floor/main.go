// Command floor does nothing but import the libraries jdash is built on (cobra, viper,
// semver, fatih/color). Its start-up time is the floor under any jdash command: bench
// measures it beside jdash so that the paths ratio can be read against what is reachable.
package main

import (
	"os"

	_ "github.com/Masterminds/semver/v3"
	_ "github.com/fatih/color"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
)

func main() { os.Stdout.WriteString("{}\n") }
