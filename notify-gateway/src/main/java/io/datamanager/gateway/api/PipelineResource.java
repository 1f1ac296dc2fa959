package io.datamanager.gateway.api;

import io.datamanager.gateway.pipeline.PipelineMonitor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /api/pipeline}: the pipeline as the gateway sees it (components' health, each consumer group's lag,
 * dead letters) with the last hour of samples; a read token is enough. The console's Pipeline screen draws it.
 */
@Path("/api/pipeline")
public class PipelineResource {
    private final PipelineMonitor monitor;

    PipelineResource(PipelineMonitor monitor) {
        this.monitor = monitor;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Components' health, consumer lag per stage, dead letters, and the last hour of throughput and lag samples",
            description = "Answers within a few seconds even when Kafka or a service is down: the component is then up=false with the reason. "
                    + "Lag is the records past each consumer group's committed offsets; samples are taken every 10 s and kept for an hour.")
    @APIResponse(responseCode = "200", description = "the pipeline now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PipelineMonitor.Snapshot.class)))
    public PipelineMonitor.Snapshot pipeline() {
        return monitor.snapshot();
    }
}
