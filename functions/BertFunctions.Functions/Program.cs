using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration;
using BertFunctions.Serving;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The Functions host: builds the worker and registers services. Every function is a thin adapter over the
// host-agnostic libraries (BertFunctions.Orchestration): the local host runs the same code without Functions.
//
// Storage (app settings): BERTFN_STORAGE__blobServiceUri and BERTFN_STORAGE__queueServiceUri (identity-based: the
// app's managed identity, no keys) or BERTFN_STORAGE as a connection string (Azurite). The triggers use the same
// connection by name ("BERTFN_STORAGE").
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
var storage = builder.Configuration["BERTFN_STORAGE:blobServiceUri"] ?? builder.Configuration["BERTFN_STORAGE"] ?? "";
builder.Services.AddSingleton(_ => new StorageClients(storage));
builder.Services.AddSingleton(sp => sp.GetRequiredService<StorageClients>().Blobs);
builder.Services.AddSingleton(sp => sp.GetRequiredService<StorageClients>().Queues);
builder.Services.AddOptions<PipelineOptions>().Bind(builder.Configuration.GetSection("Pipeline"));
builder.Services.AddPipeline();
builder.Services.AddOptions<ServingOptions>().Bind(builder.Configuration.GetSection(ServingOptions.Section));
builder.Services.AddServing();
await builder.Build().RunAsync().ConfigureAwait(false);
