package io.datamanager.model.subscription;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one change does to a Redis cache: the keys that get the new row, the keys that are removed, and what
 * could not be worked out. Templates are filled from both images, so an update that moves a row between
 * keys (its {@code customer_id} changed) reaches the old key and the new one. A truncate names no row: its
 * {@link #globs()} match every key the templates can produce.
 *
 * @param set keys to write the new row to ({@code action: set}, insert, update and snapshot)
 * @param delete keys to remove
 * @param globs for a truncate, the patterns whose keys are removed; empty otherwise
 * @param problems images lacking a column a template names (the key cannot be known), for the delivery status
 */
public record RedisKeys(Set<String> set, Set<String> delete, List<String> globs, List<String> problems) {

    public RedisKeys {
        set = Set.copyOf(set);
        delete = Set.copyOf(delete);
        globs = List.copyOf(globs);
        problems = List.copyOf(problems);
    }

    /** The keys {@code change} touches under {@code redis}. */
    public static RedisKeys of(Redis redis, ChangeEvent change) {
        List<KeyTemplate> templates = redis.templates();
        if (change.op() == Op.TRUNCATE) {
            return new RedisKeys(Set.of(), Set.of(), templates.stream().map(KeyTemplate::glob).distinct().toList(), List.of());
        }
        List<String> problems = new ArrayList<>();
        Set<String> before = render(templates, change.before(), "before", problems);
        Set<String> after = render(templates, change.after(), "after", problems);
        if (change.before() == null && change.missing().contains("before")) {
            problems.add("the before image is not known (complete: false): keys of the previous row are not reached");
        }
        Set<String> delete = new LinkedHashSet<>(before);
        Set<String> set = new LinkedHashSet<>();
        if (redis.action() == RedisAction.SET) {
            set.addAll(after);
            delete.removeAll(after);
        } else {
            delete.addAll(after);
        }
        return new RedisKeys(set, delete, List.of(), problems);
    }

    private static Set<String> render(List<KeyTemplate> templates, ObjectNode image, String name, List<String> problems) {
        Set<String> keys = new LinkedHashSet<>();
        if (image == null) {
            return keys;
        }
        for (KeyTemplate template : templates) {
            KeyTemplate.Rendered rendered = template.render(image, name);
            if (rendered.key() != null) {
                keys.add(rendered.key());
            } else if (rendered.problem() != null) {
                problems.add(rendered.problem());
            }
        }
        return keys;
    }
}
