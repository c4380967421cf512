/*
 * HrFlow connectors: editor code shared by every generated node dialog (validators, msg hints, Test
 * connection, pickers). Inlined once in each generated nodes/<type>.html by nodes/editor/generate.ts;
 * the first copy the editor loads defines it, the others reuse it (global guard below).
 *
 * Plain browser JavaScript (ES5): it runs in the Node-RED editor, with its jQuery ($) and RED.
 */
var HrflowEditor = (function (root) {
    "use strict";
    if (root.__hrflowConnectorsEditor) {
        return root.__hrflowConnectorsEditor;
    }

    // http or https, a host, then an optional path.
    var HTTP_URL = /^https?:\/\/[^\s\/?#]+(?:[\/?#]\S*)?$/i;
    var INT = /^\s*\d+\s*$/;
    var EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
    // A whole value of ${NAME} is read from the environment by the runtime.
    var ENV_VAR = /^\$\{[a-zA-Z_][a-zA-Z0-9_]*\}$/;
    var PWRD = "__PWRD__";

    function isEmpty(v) {
        return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
    }

    /**
     * A Node-RED 4 validator for one field: `function (v, opt)` returning true, or the message saying
     * what is wrong. `spec`: {input, pattern, required, options, label}; `t(key, vars)` translates a key
     * of the node's catalogue.
     */
    function validator(spec, t) {
        var one = spec.pattern ? new RegExp("^\\s*(?:" + spec.pattern + ")\\s*$") : null;
        var item = spec.pattern || "[^\\s,]+";
        var list = new RegExp("^\\s*(?:(?:" + item + ")\\s*(?:,\\s*(?:" + item + ")\\s*)*)?$");
        function message(key) {
            return t("validator." + key, { label: t("label." + spec.name) });
        }
        return function (v, opt) { // eslint-disable-line no-unused-vars
            if (spec.requires && (v === true || v === "true")) {
                // Ticked: the selected account must have `spec.requires` set (checked when it can be).
                var input = typeof $ === "function" ? $("#node-input-account") : null;
                var account = input && input.length ? input.val() : this && this.account;
                var configNode = account && typeof RED !== "undefined" && RED.nodes && RED.nodes.node ? RED.nodes.node(account) : null;
                if (configNode && isEmpty(configNode[spec.requires])) {
                    return t("validator.requires", { label: t("label." + spec.name), field: t("account." + spec.requires) });
                }
                return true;
            }
            if (isEmpty(v)) {
                // Missing (a flow written by hand or by an older version): the runtime default applies.
                return spec.required && v !== undefined ? message("required") : true;
            }
            if (typeof v === "string" && ENV_VAR.test(v.trim())) {
                return true;
            }
            var s = String(v);
            switch (spec.input) {
                case "url":
                    return HTTP_URL.test(s.trim()) ? true : message("url");
                case "int":
                    return (one || INT).test(s) ? true : message("int");
                case "id":
                    return one === null ? (/^\s*[^\s,]+\s*$/.test(s) ? true : message("id")) : one.test(s) ? true : message("id");
                case "ids":
                    return list.test(s) ? true : message("ids");
                case "email":
                    return EMAIL.test(s.trim()) ? true : message("email");
                case "checkbox":
                    return v === true || v === false || s === "true" || s === "false" ? true : message("option");
                case "select":
                    for (var i = 0; i < (spec.options || []).length; i++) {
                        if (spec.options[i] === s) {
                            return true;
                        }
                    }
                    return message("option");
                default:
                    return one === null || one.test(s) ? true : message("pattern");
            }
        };
    }

    /** `type.key` translated with the node's catalogue (falls back to the key). */
    function translator(node, type) {
        return function (key, vars) {
            var full = type + "." + key;
            if (node && typeof node._ === "function") {
                return node._(full, vars);
            }
            return typeof RED !== "undefined" && RED._ ? RED._(full, vars) : full;
        };
    }

    /** An error text from a failed $.ajax: the admin API's {code, message}, or the HTTP status. */
    function ajaxError(t, prefix, xhr) {
        var body = xhr && xhr.responseJSON;
        if (body && body.code) {
            return t(prefix + ".error", { code: body.code, message: body.message || "" });
        }
        var status = xhr && xhr.status ? xhr.status : 0;
        var message = (body && (body.message || body.error)) || (xhr && xhr.statusText) || "network";
        return t(prefix + ".http", { status: status, message: message });
    }

    // ------------------------------------------------------------------------------------------
    // Config dialogs: Test connection

    /** The values the dialog holds: properties and credentials, as strings (passwords as typed or __PWRD__). */
    function dialogValues(fields) {
        var values = {};
        fields.forEach(function (f) {
            var input = $("#node-config-input-" + f.name);
            if (!input.length) {
                return;
            }
            values[f.name] = f.input === "checkbox" ? String(!!input.prop("checked")) : String(input.val() === null || input.val() === undefined ? "" : input.val());
        });
        return values;
    }

    /** oneditprepare of a config node: wires #hrflow-test-connection. `conf`: {type, fields}. */
    function prepareConfig(node, conf) {
        var t = translator(node, conf.type);
        var button = $("#hrflow-test-connection");
        var result = $("#hrflow-test-result");
        button.off("click.hrflow").on("click.hrflow", function (e) {
            e.preventDefault();
            result.attr("data-state", "busy").text(t("test.busy"));
            button.prop("disabled", true);
            $.ajax({
                url: "hrflow-connectors/test/" + encodeURIComponent(conf.type),
                method: "POST",
                contentType: "application/json",
                dataType: "json",
                data: JSON.stringify({ id: node.id, values: dialogValues(conf.fields) })
            }).done(function (body) {
                if (body && body.ok) {
                    result.attr("data-state", "ok").text(t(body.offline ? "test.offline" : "test.ok", { detail: body.detail || "" }));
                } else {
                    result.attr("data-state", "error").text(t("test.error", { code: (body && body.code) || "ERROR", message: (body && body.message) || "" }));
                }
            }).fail(function (xhr) {
                result.attr("data-state", "error").text(ajaxError(t, "test", xhr));
            }).always(function () {
                button.prop("disabled", false);
            });
        });
    }

    // ------------------------------------------------------------------------------------------
    // Push dialogs: msg hints and pickers

    /** Shows each `.hrflow-msg-hint` while its field is empty. */
    function wireHints(fields) {
        fields.forEach(function (f) {
            if (!f.msg) {
                return;
            }
            var input = $("#node-input-" + f.name);
            var hint = $('.hrflow-msg-hint[data-field="' + f.name + '"]');
            var update = function () {
                hint.toggle(isEmpty(input.val()));
            };
            input.off(".hrflowhint").on("input.hrflowhint change.hrflowhint", update);
            update();
        });
    }

    /** True when the config node's credentials were typed in this editor session (not deployed yet). */
    function hasTypedCredentials(configNode, credentialNames) {
        var creds = configNode.credentials || {};
        for (var i = 0; i < credentialNames.length; i++) {
            var v = creds[credentialNames[i]];
            if (typeof v === "string" && v !== "" && v !== PWRD) {
                return true;
            }
        }
        return false;
    }

    /**
     * The request that lists `list` for the account `id`: GET on the deployed account when the editor
     * holds no change of it, else POST with the account's values as the editor holds them.
     */
    function listRequest(conf, id, list) {
        var configNode = typeof RED !== "undefined" && RED.nodes && RED.nodes.node ? RED.nodes.node(id) : null;
        var url = "hrflow-connectors/jobs/" + encodeURIComponent(conf.configType);
        var credentialNames = conf.account.filter(function (f) { return f.credential; }).map(function (f) { return f.name; });
        if (configNode && !configNode.changed && !hasTypedCredentials(configNode, credentialNames)) {
            return { url: url + "?account=" + encodeURIComponent(id) + "&list=" + encodeURIComponent(list), method: "GET", dataType: "json" };
        }
        var values = {};
        var creds = (configNode && configNode.credentials) || {};
        conf.account.forEach(function (f) {
            if (f.credential) {
                if (typeof creds[f.name] === "string" && creds[f.name] !== "") {
                    values[f.name] = creds[f.name];
                } else if (creds["has_" + f.name]) {
                    values[f.name] = PWRD;
                }
                // Absent: the deployed credential (the endpoint's rule), or none.
            } else if (configNode && configNode[f.name] !== undefined && configNode[f.name] !== null) {
                values[f.name] = String(configNode[f.name]);
            }
        });
        return {
            url: url,
            method: "POST",
            contentType: "application/json",
            dataType: "json",
            data: JSON.stringify({ id: id, values: values, list: list })
        };
    }

    /** Adds `id` to a comma-separated list (no duplicates), or replaces a single value or a `${ENV_VAR}`. */
    function fillValue(current, id, multiple) {
        // A whole ${NAME} is read from the environment as it is: an id added to it would break it.
        if (!multiple || ENV_VAR.test(String(current || "").trim())) {
            return id;
        }
        var items = String(current || "").split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; });
        if (items.indexOf(id) === -1) {
            items.push(id);
        }
        return items.join(", ");
    }

    function wirePicker(node, conf, t, f) {
        var button = $('.hrflow-picker[data-field="' + f.name + '"]');
        var panel = $('.hrflow-picker-panel[data-field="' + f.name + '"]');
        var input = $("#node-input-" + f.name);
        button.attr("title", t("picker.button"));
        button.off("click.hrflow").on("click.hrflow", function (e) {
            e.preventDefault();
            if (panel.is(":visible") && panel.children().length) {
                panel.empty().hide();
                return;
            }
            panel.empty().show();
            var account = $("#node-input-account").val();
            if (!account || account === "_ADD_") {
                $('<div class="hrflow-picker-error"></div>').text(t("picker.no-account")).appendTo(panel);
                return;
            }
            var loading = $('<div class="hrflow-picker-loading"></div>').text(t("picker.loading")).appendTo(panel);
            $.ajax(listRequest(conf, account, f.picker)).done(function (body) {
                loading.remove();
                if (!body || !body.ok) {
                    $('<div class="hrflow-picker-error"></div>').text(t("picker.error", { code: (body && body.code) || "ERROR", message: (body && body.message) || "" })).appendTo(panel);
                    return;
                }
                var items = Array.isArray(body.items) ? body.items : [];
                if (!items.length) {
                    $('<div class="hrflow-picker-empty"></div>').text(t("picker.empty")).appendTo(panel);
                    return;
                }
                $('<div class="hrflow-picker-title"></div>').text(t("picker.list." + f.picker)).appendTo(panel);
                var ul = $('<ul class="hrflow-picker-list"></ul>').appendTo(panel);
                items.forEach(function (item) {
                    var id = String(item.id);
                    var li = $('<li class="hrflow-picker-item"></li>').attr("data-id", id).appendTo(ul);
                    $('<span class="hrflow-picker-item-title"></span>').text(item.title || id).appendTo(li);
                    $('<code class="hrflow-picker-item-id"></code>').text(id).appendTo(li);
                    if (item.status) {
                        $('<span class="hrflow-picker-item-status"></span>').text(item.status).appendTo(li);
                    }
                    li.on("click", function () {
                        input.val(fillValue(input.val(), id, f.input === "ids")).trigger("change");
                        panel.empty().hide();
                    });
                });
                if (items.length >= 200) {
                    $('<div class="hrflow-picker-more"></div>').text(t("picker.more", { count: items.length })).appendTo(panel);
                }
            }).fail(function (xhr) {
                loading.remove();
                $('<div class="hrflow-picker-error"></div>').text(ajaxError(t, "picker", xhr)).appendTo(panel);
            });
        });
    }

    /** oneditprepare of a push node. `conf`: {type, configType, fields, account}. */
    function preparePush(node, conf) {
        var t = translator(node, conf.type);
        wireHints(conf.fields);
        conf.fields.forEach(function (f) {
            if (f.picker) {
                wirePicker(node, conf, t, f);
            }
        });
        // The dialog's hints and pickers are wired (browser tests wait for it before typing).
        $("#dialog-form").attr("data-hrflow-ready", "true");
    }

    /**
     * After registerType: Node-RED names a property in its own messages ("missing property") by
     * `defaults[p].label`; give it the translated field label.
     */
    function labelProperties(type, names) {
        var def = typeof RED !== "undefined" && RED.nodes && RED.nodes.getType ? RED.nodes.getType(type) : null;
        if (!def || typeof def._ !== "function") {
            return;
        }
        names.forEach(function (name) {
            var p = (def.defaults && def.defaults[name]) || (def.credentials && def.credentials[name]);
            if (p) {
                p.label = def._(type + ".label." + name);
            }
        });
    }

    var api = {
        validator: validator,
        translator: translator,
        prepareConfig: prepareConfig,
        preparePush: preparePush,
        labelProperties: labelProperties,
        fillValue: fillValue,
        listRequest: listRequest
    };
    root.__hrflowConnectorsEditor = api;
    return api;
})(typeof globalThis !== "undefined" ? globalThis : window);
