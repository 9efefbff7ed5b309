"""The WeChat Official Account (公众号) channel: `/wechat`, served by `policybot serve`."""
