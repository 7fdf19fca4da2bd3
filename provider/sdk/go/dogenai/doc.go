// DigitalOcean GenAI model access keys as code: create, rename, rotate, adopt and import keys, and read the model catalogue, from every Pulumi language.
package dogenai
