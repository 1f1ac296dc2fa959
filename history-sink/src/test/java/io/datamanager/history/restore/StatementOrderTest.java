package io.datamanager.history.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementOrderTest {
    private static final SourceSchema.ForeignKey ORDER_CUSTOMER = fk("public.orders_customer_fk", "public.orders", List.of("customer_id"),
            "public.customers", List.of("id"), false);
    private static final SourceSchema.ForeignKey LINE_ORDER = fk("public.lines_order_fk", "public.lines", List.of("region", "order_id"),
            "public.orders", List.of("region", "id"), false);

    @Test
    void aCascadeUndoneInsertsParentsBeforeChildrenWhateverTheLogOrder() {
        // history undone backwards: the cascade logged the customer first, so lines come first
        List<StatementOrder.Planned> planned = List.of(
                insert("public.lines", "{\"id\":7,\"region\":\"eu\",\"order_id\":5}"),
                insert("public.orders", "{\"id\":5,\"region\":\"eu\",\"customer_id\":1}"),
                insert("public.customers", "{\"id\":1}"));
        assertThat(tables(StatementOrder.order(planned, List.of(ORDER_CUSTOMER, LINE_ORDER))))
                .containsExactly("public.customers", "public.orders", "public.lines");
    }

    @Test
    void deletesRunChildrenFirstAndBeforeInserts() {
        List<StatementOrder.Planned> planned = List.of(
                insert("public.customers", "{\"id\":2}"),
                delete("public.customers", "{\"id\":1}"),
                delete("public.orders", "{\"id\":5,\"region\":\"eu\",\"customer_id\":1}"));
        assertThat(tables(StatementOrder.order(planned, List.of(ORDER_CUSTOMER))))
                .containsExactly("public.orders", "public.customers", "public.customers");
        assertThat(StatementOrder.order(planned, List.of(ORDER_CUSTOMER)).statements().getLast().statement().action()).isEqualTo("insert");
    }

    @Test
    void anUpdateMovingAChildWaitsForItsNewParentAndGoesBeforeItsOldOneIsDeleted() {
        List<StatementOrder.Planned> planned = List.of(
                delete("public.customers", "{\"id\":1}"),
                update("public.orders", "{\"id\":5,\"customer_id\":1}", "{\"id\":5,\"customer_id\":2}"),
                insert("public.customers", "{\"id\":2}"));
        List<StatementOrder.Planned> ordered = StatementOrder.order(planned, List.of(ORDER_CUSTOMER)).statements();
        assertThat(ordered.stream().map(p -> p.statement().action() + " " + p.statement().table()))
                .containsExactly("insert public.customers", "update public.orders", "delete public.customers");
    }

    @Test
    void aSelfReferencingTableInsertsManagersBeforeTheirReports() {
        SourceSchema.ForeignKey manager = fk("public.staff_manager_fk", "public.staff", List.of("manager_id"), "public.staff", List.of("id"), false);
        List<StatementOrder.Planned> planned = List.of(
                insert("public.staff", "{\"id\":3,\"manager_id\":2}"),
                insert("public.staff", "{\"id\":2,\"manager_id\":1}"),
                insert("public.staff", "{\"id\":1,\"manager_id\":null}"));
        assertThat(StatementOrder.order(planned, List.of(manager)).statements().stream().map(p -> p.to().get("id").asInt()))
                .containsExactly(1, 2, 3);
    }

    @Test
    void aCycleThroughDeferrableKeysIsDeferredAndOneThroughAKeyThatIsNotIsRefusedByName() {
        SourceSchema.ForeignKey ab = fk("public.a_b_fk", "public.a", List.of("b_id"), "public.b", List.of("id"), true);
        SourceSchema.ForeignKey ba = fk("public.b_a_fk", "public.b", List.of("a_id"), "public.a", List.of("id"), true);
        List<StatementOrder.Planned> planned = List.of(insert("public.a", "{\"id\":1,\"b_id\":1}"), insert("public.b", "{\"id\":1,\"a_id\":1}"));
        StatementOrder.Ordered ordered = StatementOrder.order(planned, List.of(ab, ba));
        assertThat(ordered.deferred()).containsExactly("public.a_b_fk", "public.b_a_fk");
        assertThat(ordered.statements()).hasSize(2);

        SourceSchema.ForeignKey strict = fk("public.b_a_strict", "public.b", List.of("a_id"), "public.a", List.of("id"), false);
        assertThatThrownBy(() -> StatementOrder.order(planned, List.of(ab, strict))).isInstanceOf(RestoreRefused.class)
                .hasMessageContaining("public.b_a_strict").hasMessageContaining("not DEFERRABLE")
                .satisfies(e -> assertThat(((RestoreRefused) e).status).isEqualTo(422));
    }

    private static List<String> tables(StatementOrder.Ordered ordered) {
        return ordered.statements().stream().map(p -> p.statement().table()).toList();
    }

    private static SourceSchema.ForeignKey fk(String name, String child, List<String> cc, String parent, List<String> pc, boolean deferrable) {
        return new SourceSchema.ForeignKey(name, child, cc, parent, pc, deferrable);
    }

    private static StatementOrder.Planned insert(String table, String to) {
        return planned(table, "insert", null, row(to));
    }

    private static StatementOrder.Planned delete(String table, String from) {
        return planned(table, "delete", row(from), null);
    }

    private static StatementOrder.Planned update(String table, String from, String to) {
        return planned(table, "update", row(from), row(to));
    }

    private static StatementOrder.Planned planned(String table, String action, ObjectNode from, ObjectNode to) {
        ObjectNode image = to != null ? to : from;
        ObjectNode pk = Json.mapper().createObjectNode().set("id", image.get("id"));
        return new StatementOrder.Planned(new RestorePlan.Statement(table, pk, action, action, new ArrayList<>(), action), from, to);
    }

    private static ObjectNode row(String json) {
        return (ObjectNode) Json.tree(json.getBytes(), "row");
    }
}
