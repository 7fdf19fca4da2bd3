module github.com/do-genai/do-genai-model-keys/provider/sdk/go

go 1.24

require github.com/pulumi/pulumi/sdk/v3 v3.276.0
