using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The Functions host: builds the worker and registers services. Triggers are thin adapters over the
// host-agnostic libraries; the pipeline, serving and training triggers arrive with their issues.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
await builder.Build().RunAsync().ConfigureAwait(false);
