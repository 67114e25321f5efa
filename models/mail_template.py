# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import safe_eval
from odoo.tools.rendering_tools import parse_inline_template


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _compile_once(self, res_ids):
        """Whether to compile a template once for ``res_ids`` (see below).

        Only for a batch asked for with the ``mail_render_compile_once`` context key,
        and only where Odoo itself renders without the restricted mode (a saved
        ``mail.template`` is rendered unrestricted for every user).
        """
        return (
            self.env.context.get("mail_render_compile_once")
            and len(res_ids) > 1
            and self._unrestricted_rendering
        )

    @api.model
    def _render_template_inline_template(
        self, template_txt, model, res_ids, add_context=None, options=None
    ):
        """Check and compile each expression of an inline template once a batch.

        The same sandbox as ``safe_eval`` (its opcode check and builtins), which
        Odoo runs again for each record; see ``_compile_once`` for when.
        """
        if not self._compile_once(res_ids) or not (
            self._has_unsafe_expression_template_inline_template(
                str(template_txt), model
            )
        ):
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context=add_context, options=options
            )
        try:
            instructions = [
                (
                    text,
                    expression
                    and safe_eval.test_expr(
                        expression, safe_eval._SAFE_OPCODES, mode="eval"
                    ),
                    default,
                )
                for text, expression, default in parse_inline_template(
                    str(template_txt)
                )
            ]
            variables = self._render_eval_context()
            variables.update(add_context or {})
            safe_eval.check_values(variables)
            results = {}
            for record in self.env[model].browse(res_ids):
                scope = dict(variables, object=record, __builtins__=safe_eval._BUILTINS)
                parts = []
                for text, code, default in instructions:
                    parts.append(text)
                    value = code and (safe_eval.unsafe_eval(code, scope) or default)
                    if value:
                        parts.append(str(value))
                results[record.id] = "".join(parts)
        except Exception:  # noqa: BLE001 - Odoo's rendering reports it properly
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context=add_context, options=options
            )
        return results

    @api.model
    def _render_template_qweb(
        self, template_src, model, res_ids, add_context=None, options=None
    ):
        """Compile a template's body once for a whole batch of records.

        Odoo compiles the body again for each record, which is most of the time of
        a batch of cart reminders. With Odoo's own QWeb compiler, under the same
        conditions as above, and with Odoo's own rendering as soon as something is
        unusual.
        """
        if not self._compile_once(res_ids) or not (
            self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        variables = self._render_eval_context()
        variables.update(add_context or {})
        qweb = self.env["ir.qweb"].with_context(**(options or {}))
        element = html.fragment_fromstring(template_src, create_parent="div")
        try:
            compiled = qweb._prepare_environment(dict(variables))._compile(element)
            functions, def_name = compiled
            results = {}
            for record in self.env[model].browse(res_ids):
                values = dict(variables, object=record)
                renderer = qweb._prepare_environment(values)
                safe_eval.check_values(values)
                rendered = Markup("".join(functions[def_name](renderer, values)))
                # Without the <div> wrapping several root nodes, as Odoo does.
                results[record.id] = rendered[5:-6]
        except Exception:  # noqa: BLE001 - Odoo's rendering reports it properly
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        return results
