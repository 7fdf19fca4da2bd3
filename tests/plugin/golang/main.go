// A small Pulumi program in Go on the plugin's generated Go SDK: the test builds it.
package main

import (
	"github.com/do-genai/do-genai-model-keys/provider/sdk/go/dogenai"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		web, err := dogenai.NewModelAccessKey(ctx, "web", &dogenai.ModelAccessKeyArgs{
			Name:          pulumi.String("web"),
			SecretVersion: pulumi.Int(1),
		})
		if err != nil {
			return err
		}
		models := dogenai.GetModelsOutput(ctx, dogenai.GetModelsOutputArgs{})
		ctx.Export("uuid", web.Uuid)
		ctx.Export("secret", web.SecretKey)
		ctx.Export("models", models.Ids())
		return nil
	})
}
